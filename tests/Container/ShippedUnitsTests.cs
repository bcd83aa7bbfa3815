using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Container;

/// <summary>
/// The shipped units, as a user drives them: the .deb installed under a booted systemd, an instance's
/// settings in /etc/websockify/PORT.conf, then systemctl start, status, reload and stop. The examples
/// are the README's (vncserver in ignore mode, telnetd behind socat in respawn mode), on free ports.
/// </summary>
public sealed partial class ShippedUnitsTests(BootedSystem system) : IClassFixture<BootedSystem>
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(20);

    /// <summary>vncserver needs a session script; the container has no desktop, so one that just waits.</summary>
    private const string SleepingXstartup = "#!/bin/sh\nexec sleep infinity\n";

    [Fact]
    public async Task Vncserver_wrapped_in_ignore_mode_serves_RFB_keeps_sessions_across_reload_and_leaves_nothing_when_stopped()
    {
        var (display, port) = FreeDisplay();
        var unit = $"websockify@{port}.service";
        await WriteVncInstanceAsync(display, port);

        // A watchdog short enough to trip within the test if the pings stopped (the unit says 30 s).
        await system.WriteFile($"/etc/systemd/system/{unit}.d/watchdog.conf", "[Service]\nWatchdogSec=2s\n");
        await system.Run(["systemctl", "daemon-reload"]);
        await system.Run(["systemctl", "start", unit]); // Type=notify: returns once READY=1
        try
        {
            Assert.Equal("2s", await system.Property(unit, "WatchdogUSec"));
            await using var session = await RawWebSocketClient.ConnectAsync(port, protocols: "binary");
            Assert.Equal(101, session.StatusCode);
            Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ReadAsync(session, 12)));

            // As shipped: the packages' unprivileged user runs the daemon and the VNC server, with no
            // capabilities, no new privileges and the system call filter, and the instance's state
            // directory is the program's home.
            await AssertEveryProcessIsAsync(unit, "websockify");
            var status = await ProcessStatusAsync(await system.Property(unit, "MainPID"));
            Assert.Equal("0000000000000000", status["CapBnd"]);
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]);
            Assert.True(Directory.Exists(Path.Combine(system.Root, $"var/lib/websockify/{port}/.vnc")), "vncserver wrote nothing under the instance's state directory");
            Assert.Equal("websockify 700", (await system.Run(["stat", "-c", "%U %a", $"/var/lib/websockify/{port}"])).StandardOutput.Trim());

            // STATUS= carries the session count.
            await Eventually(async () => (await system.Property(unit, "StatusText")).Contains("1 session", StringComparison.Ordinal), "StatusText with 1 session");
            Assert.Contains("Status: \"", (await system.Run(["systemctl", "status", "--no-pager", unit], check: false)).StandardOutput);

            // Reload keeps the session, and without --cert does not go looking for self.pem.
            await system.Run(["systemctl", "reload", unit]);
            await session.SendAsync(RawFrame.Build(RawFrame.Binary, "RFB 003.008\n"u8));
            var security = await ReadAsync(session, 2);
            Assert.True(security[0] >= 1, "the VNC server offered no security type after the reload");
            var journal = (await system.Run(["journalctl", "--no-pager", "-o", "cat", "-u", unit])).StandardOutput;
            Assert.Contains("nothing to reload", journal);
            Assert.DoesNotContain("Reloading '", journal); // as in "Reloading '/self.pem' failed: file not found"

            // Three watchdog periods with the session open: still the same process, never restarted.
            var mainPid = await system.Property(unit, "MainPID");
            await Task.Delay(TimeSpan.FromSeconds(6));
            Assert.Equal("active", await system.Property(unit, "ActiveState"));
            Assert.Equal(mainPid, await system.Property(unit, "MainPID"));
            Assert.Equal("0", await system.Property(unit, "NRestarts"));
            await session.SendAsync(RawFrame.Build(RawFrame.Binary, [1])); // security type None
            Assert.Equal(4, (await ReadAsync(session, 4)).Length); // SecurityResult: still the same session
        }
        finally
        {
            await StopAndAssertNothingLeftAsync(unit);
            File.Delete(Path.Combine(system.Root, $"etc/systemd/system/{unit}.d/watchdog.conf"));
            await system.Run(["systemctl", "daemon-reload"]);
        }
    }

    [Fact]
    public async Task Vncserver_runs_as_the_user_a_drop_in_names()
    {
        var (display, port) = FreeDisplay();
        var unit = $"websockify@{port}.service";
        await system.Run(["sh", "-c", "id vncuser >/dev/null 2>&1 || useradd --create-home --shell /bin/bash vncuser"]);
        await WriteVncInstanceAsync(display, port);
        await system.WriteFile($"/etc/systemd/system/{unit}.d/user.conf", "[Service]\nUser=vncuser\nUnsetEnvironment=HOME\nProtectHome=no\n"); // the README's
        await system.Run(["systemctl", "daemon-reload"]);

        await system.Run(["systemctl", "start", unit]);
        try
        {
            await using var session = await RawWebSocketClient.ConnectAsync(port, protocols: "binary");
            Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await ReadAsync(session, 12)));

            // Every process of the unit, the daemon and Xtigervnc included, is the drop-in's user's.
            await AssertEveryProcessIsAsync(unit, "vncuser");

            Assert.True(File.Exists(Path.Combine(system.Root, "home/vncuser/.vnc", $"websockify-test:{display}.pid"))
                || Directory.EnumerateFiles(Path.Combine(system.Root, "home/vncuser/.vnc")).Any(), "vncserver wrote nothing under the user's HOME");
        }
        finally
        {
            await StopAndAssertNothingLeftAsync(unit);
            File.Delete(Path.Combine(system.Root, $"etc/systemd/system/{unit}.d/user.conf"));
            await system.Run(["systemctl", "daemon-reload"]);
        }
    }

    [Fact]
    public async Task Telnetd_behind_socat_in_respawn_mode_negotiates_for_two_sessions_in_a_row()
    {
        var port = TcpTarget.UnusedPort();
        var unit = $"websockify@{port}.service";
        await system.WriteFile($"/etc/websockify/{port}.conf",
            "WEBSOCKIFY_OPTIONS=--wrap-mode=respawn\n" +
            // Double quotes keep the single ones for systemd's splitting of $WEBSOCKIFY_TARGET (example.conf says so).
            $"WEBSOCKIFY_TARGET=\"-- socat TCP-LISTEN:{port},reuseaddr EXEC:'/usr/sbin/telnetd -h -E /bin/login'\"\n");

        // login must run as root: the README's way is the shipped drop-in, linked into the instance's directory.
        await system.Run(["mkdir", "-p", $"/etc/systemd/system/{unit}.d"]);
        await system.Run(["ln", "-sf", "/usr/share/websockify/drop-ins/run-as-root.conf", $"/etc/systemd/system/{unit}.d/"]);
        await system.Run(["sh", "-c", "id consoleuser >/dev/null 2>&1 || useradd --create-home --shell /bin/sh consoleuser; echo consoleuser:console-pw-7 | chpasswd"]);
        await system.Run(["systemctl", "daemon-reload"]);
        await system.Run(["systemctl", "start", unit]);
        try
        {
            var status = await ProcessStatusAsync(await system.Property(unit, "MainPID"));
            Assert.StartsWith("0\t", status["Uid"], StringComparison.Ordinal);
            Assert.Equal(0UL, ulong.Parse(status["CapBnd"], System.Globalization.NumberStyles.HexNumber) & (1UL << 21)); // no CAP_SYS_ADMIN

            for (var round = 1; round <= 2; round++)
            {
                await using var session = await RawWebSocketClient.ConnectAsync(port, protocols: "binary");
                Assert.Equal(101, session.StatusCode);
                var console = new TelnetConsole(session);
                await console.WaitForAsync("login: ");
                await console.SendLineAsync("consoleuser");
                await console.WaitForAsync("Password: ");
                await console.SendLineAsync("console-pw-7");
                await console.WaitForAsync("$ "); // the user's shell: login may drop what was typed ahead
                await console.SendLineAsync("echo \"I am $(id -un) in $HOME: $((6 * 7))\"");
                await console.WaitForAsync("I am consoleuser in /home/consoleuser: 42");
                await session.SendAsync(RawFrame.CloseFrame(1000));
            }

            Assert.Equal("active", await system.Property(unit, "ActiveState"));
        }
        finally
        {
            await StopAndAssertNothingLeftAsync(unit);
            File.Delete(Path.Combine(system.Root, $"etc/systemd/system/{unit}.d/run-as-root.conf"));
            await system.Run(["systemctl", "daemon-reload"]);
        }
    }

    [Fact]
    public async Task Socket_unit_starts_the_service_on_the_first_connection_and_serves_it()
    {
        await using var target = TcpTarget.Echo(); // on the shared loopback
        var port = TcpTarget.UnusedPort();
        var unit = $"websockify@{port}.service";
        await system.WriteFile($"/etc/websockify/{port}.conf", $"WEBSOCKIFY_TARGET=127.0.0.1:{target.Port}\n");

        await system.Run(["systemctl", "start", $"websockify@{port}.socket"]);
        try
        {
            Assert.Equal("inactive", await system.Property(unit, "ActiveState"));
            await using (var session = await RawWebSocketClient.ConnectAsync(port, protocols: "binary"))
            {
                Assert.Equal(101, session.StatusCode);
                await session.AssertEchoAsync("activated");
            }

            Assert.Equal("active", await system.Property(unit, "ActiveState"));
            Assert.Equal(1, target.Accepted);

            // The package made the units' user, and let its group (only) into the configuration directory.
            var user = (await system.Run(["getent", "passwd", "websockify"])).StandardOutput.Trim().Split(':');
            Assert.Equal(["/var/lib/websockify", "/usr/sbin/nologin"], user[5..]);
            Assert.Equal("root:websockify 750", (await system.Run(["stat", "-c", "%U:%G %a", "/etc/websockify"])).StandardOutput.Trim());
            Assert.Equal("websockify", (await system.Run(["ps", "-o", "user=", "-p", await system.Property(unit, "MainPID")])).StandardOutput.Trim());
        }
        finally
        {
            await system.Run(["systemctl", "stop", $"websockify@{port}.socket"], check: false);
            await StopAndAssertNothingLeftAsync(unit);
        }
    }

    [Fact]
    public async Task A_key_only_root_can_read_reaches_the_unprivileged_daemon_through_LoadCredential_with_its_password()
    {
        // Upstream #79: the key stays root's (0600), the daemon runs as websockify; systemd reads the key
        // and its password as root and hands the service copies only it can read (the README's drop-in).
        const string password = "credential-pw-42";
        using var certificate = await TestCertificate.CreateEncryptedAsync(password);
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        var unit = $"websockify@{port}.service";
        var tls = $"/etc/websockify/tls-{port}";
        await system.WriteFile($"{tls}/cert.pem", await File.ReadAllTextAsync(certificate.CertPath));
        await system.WriteFile($"{tls}/key.pem", await File.ReadAllTextAsync(certificate.KeyPath), "0600");
        await system.WriteFile($"{tls}/key.password", password + "\n", "0600");
        await system.WriteFile($"/etc/websockify/{port}.conf",
            $"WEBSOCKIFY_OPTIONS=--cert={tls}/cert.pem\nWEBSOCKIFY_TARGET=127.0.0.1:{target.Port}\n");
        await system.WriteFile($"/etc/systemd/system/{unit}.d/credential.conf",
            $"[Service]\nLoadCredential=websockify-key:{tls}/key.pem\nLoadCredential=websockify-key-password:{tls}/key.password\n");
        await system.Run(["systemctl", "daemon-reload"]);
        try
        {
            Assert.NotEqual(0, (await system.Run(["setpriv", "--reuid=websockify", "--regid=websockify", "--clear-groups", "cat", $"{tls}/key.pem"], check: false)).ExitCode);
            await system.Run(["systemctl", "start", unit]);
            await using (var secure = await RawWebSocketClient.ConnectAsync(port, tls: true))
            {
                await secure.AssertEchoAsync("unlocked by LoadCredential");
            }

            var mainPid = await system.Property(unit, "MainPID");
            Assert.Equal("websockify", (await system.Run(["ps", "-o", "user=", "-p", mainPid])).StandardOutput.Trim());
            var cmdline = (await system.Run(["cat", $"/proc/{mainPid}/cmdline"])).StandardOutput;
            var environ = (await system.Run(["cat", $"/proc/{mainPid}/environ"])).StandardOutput;
            Assert.DoesNotContain("--key", cmdline);
            Assert.DoesNotContain(password, cmdline + environ);
        }
        finally
        {
            await StopAndAssertNothingLeftAsync(unit);
            Directory.Delete(Path.Combine(system.Root, tls.TrimStart('/')), recursive: true);
            File.Delete(Path.Combine(system.Root, $"etc/websockify/{port}.conf"));
            File.Delete(Path.Combine(system.Root, $"etc/systemd/system/{unit}.d/credential.conf"));
            await system.Run(["systemctl", "daemon-reload"]);
        }
    }

    [Fact]
    public async Task Ignore_mode_program_that_dies_at_once_fails_the_start_instead_of_reporting_ready()
    {
        var port = TcpTarget.UnusedPort();
        var unit = $"websockify@{port}.service";
        await system.WriteFile($"/etc/websockify/{port}.conf", "WEBSOCKIFY_OPTIONS=--wrap-mode=ignore\nWEBSOCKIFY_TARGET=-- sh -c 'exit 3'\n");

        var start = await system.Run(["systemctl", "start", unit], check: false);
        try
        {
            Assert.NotEqual(0, start.ExitCode);
            var journal = (await system.Run(["journalctl", "--no-pager", "-o", "cat", "-u", unit])).StandardOutput;
            Assert.Contains("exited with status 3 before listening", journal);
            Assert.Contains("left no process running", journal);
        }
        finally
        {
            await system.Run(["systemctl", "stop", unit], check: false); // Restart=on-failure would try again
            await system.Run(["systemctl", "reset-failed", unit], check: false);
        }
    }

    /// <summary>/etc/websockify/PORT.conf with the README's vncserver example, in ignore mode, on display N.</summary>
    private async Task WriteVncInstanceAsync(int display, int port)
    {
        await system.WriteFile("/usr/local/bin/xstartup-sleep", SleepingXstartup, "0755");
        await system.WriteFile($"/etc/websockify/{port}.conf",
            "WEBSOCKIFY_OPTIONS=--wrap-mode=ignore\n" +
            $"WEBSOCKIFY_TARGET=-- vncserver :{display} -localhost yes -SecurityTypes None --I-KNOW-THIS-IS-INSECURE -xstartup /usr/local/bin/xstartup-sleep\n");
    }

    /// <summary>A display number whose VNC port (5900 + N) and our listen port (the same) are free on the shared loopback.</summary>
    private static (int Display, int Port) FreeDisplay()
    {
        for (var display = 10 + Random.Shared.Next(80); ; display = 10 + Random.Shared.Next(80))
        {
            try
            {
                using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 5900 + display);
                probe.Start();
                return (display, 5900 + display);
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        }
    }

    private static async Task<byte[]> ReadAsync(RawWebSocketClient session, int count)
    {
        var data = new List<byte>();
        while (data.Count < count)
        {
            var frame = await session.ReadFrameAsync(ReadTimeout);
            Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data, got {frame?.Opcode} {frame?.CloseCode} {frame?.CloseReason}");
            data.AddRange(frame!.Payload);
        }

        return [.. data];
    }

    /// <summary>Every process of the unit (the daemon and what it wraps) runs as <paramref name="user"/>.</summary>
    private async Task AssertEveryProcessIsAsync(string unit, string user)
    {
        var pids = await UnitPidsAsync(unit);
        Assert.True(pids.Count >= 2, $"expected the daemon and the program, got {pids.Count} processes");
        foreach (var pid in pids)
        {
            Assert.Equal(user, (await system.Run(["ps", "-o", "user=", "-p", pid], check: false)).StandardOutput.Trim());
        }
    }

    /// <summary>/proc/PID/status as name -> value.</summary>
    private async Task<Dictionary<string, string>> ProcessStatusAsync(string pid) =>
        (await system.Run(["cat", $"/proc/{pid}/status"])).StandardOutput.Split('\n')
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1].Trim());

    private async Task<List<string>> UnitPidsAsync(string unit)
    {
        // The unit's cgroup, under the named systemd hierarchy (cgroup v1 and hybrid) or the unified one;
        // none at all once the unit is stopped.
        var cgroup = await system.Property(unit, "ControlGroup");
        var procs = await system.Run(
            ["sh", "-c", "for f in /sys/fs/cgroup/systemd\"$1\"/cgroup.procs /sys/fs/cgroup\"$1\"/cgroup.procs; do if [ -e \"$f\" ]; then exec cat \"$f\"; fi; done", "sh", cgroup]);
        return procs.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>systemctl stop, then: no process of the unit is left, and it stopped cleanly (no watchdog, no failure).</summary>
    private async Task StopAndAssertNothingLeftAsync(string unit)
    {
        var before = await UnitPidsAsync(unit);
        Assert.NotEmpty(before); // the running unit's own processes, at least the daemon
        await system.Run(["systemctl", "stop", unit]);
        Assert.Empty(await UnitPidsAsync(unit));
        foreach (var pid in before)
        {
            Assert.NotEqual(0, (await system.Run(["kill", "-0", pid], check: false)).ExitCode);
        }

        var journal = (await system.Run(["journalctl", "--no-pager", "-o", "cat", "-u", unit])).StandardOutput;
        Assert.DoesNotContain("Watchdog timeout", journal);
        Assert.Equal("success", await system.Property(unit, "Result"));
    }

    private static async Task Eventually(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }
}
