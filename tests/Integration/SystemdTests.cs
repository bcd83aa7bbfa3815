using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// Socket activation and sd_notify through the real <c>systemd-socket-activate</c> (which passes sockets
/// exactly as systemd does), with this test playing the notify side; -D daemon mode; the unit files.
/// </summary>
public sealed class SystemdTests
{
    private static DaemonProcess Activate(IEnumerable<string> activateArgs, params string[] daemonArgs) =>
        DaemonProcess.StartCommand("systemd-socket-activate", [.. activateArgs, RepositoryPaths.Binary, .. daemonArgs]);

    /// <summary>
    /// systemd-socket-activate binds at once, says so on stderr, and starts the daemon on the first
    /// connection: wait for its "Listening on" line, then one connect must succeed.
    /// </summary>
    private static async Task<RawWebSocketClient> ConnectWhenBoundAsync(DaemonProcess activator, EndPoint endpoint)
    {
        await activator.WaitForLineAsync(l => l.StartsWith($"Listening on {endpoint} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        var host = endpoint is IPEndPoint ip ? ip.ToString() : "localhost";
        return await RawWebSocketClient.ConnectAsync(endpoint, UpgradeFor(host));
    }

    private static string UpgradeFor(string host) => RawWebSocketClient.UpgradeRequest(0).Replace("Host: 127.0.0.1:0", $"Host: {host}", StringComparison.Ordinal);

    [Fact]
    public async Task Tcp_socket_activation_notifies_ready_status_watchdog_and_stopping()
    {
        using var notify = new NotifyListener();
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        await using var daemon = Activate(
            ["-l", $"127.0.0.1:{port}", "--fdname=websockify", "-E", $"NOTIFY_SOCKET={notify.Path}", "-E", "WATCHDOG_USEC=400000"],
            target.Address);

        await using var client = await ConnectWhenBoundAsync(daemon, new IPEndPoint(IPAddress.Loopback, port));
        await client.AssertEchoAsync("activated");

        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(10));
        Assert.Contains($"MAINPID={daemon.Pid}", notify.Assignments); // systemd-socket-activate execs in place
        await notify.WaitForAsync(m => m == $"STATUS=1 session; proxying to {target.Address}", TimeSpan.FromSeconds(5));

        // WATCHDOG_USEC=400 ms: a ping every 200 ms while serving. Ten more pings, timed by their arrival.
        const string ping = "WATCHDOG=1";
        var before = notify.Messages.Count(m => m.Message == ping);
        var pings = (await notify.WaitForMessagesAsync(ping, before + 10, TimeSpan.FromSeconds(10)))[before..];
        var interval = (pings[^1] - pings[0]) / (pings.Length - 1);
        Assert.InRange(interval.TotalMilliseconds, 150, 300);

        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(1001, (await client.ReadFrameAsync())?.CloseCode);
        await client.SendAsync(RawFrame.CloseFrame(1001)); // answered and closed: the daemon need not wait out its grace or linger
        Assert.True(await client.WaitForEndAsync(TimeSpan.FromSeconds(5)));
        await client.DisposeAsync();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await notify.WaitForAsync(m => m == "STOPPING=1", TimeSpan.FromSeconds(5)); // the datagram may still be queued to us
        await daemon.WaitForLineAsync(l => l.Contains("passed by the service manager: websockify", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Ipv6_and_unix_sockets_passed_together_with_names_are_both_served()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        var directory = Directory.CreateTempSubdirectory("websockify-unix-");
        var path = Path.Combine(directory.FullName, "ws.sock");
        await using (var daemon = Activate(["-l", $"[::1]:{port}", "-l", path, "--fdname=tcp6:local"], target.Address))
        {
            await using (var overUnix = await ConnectWhenBoundAsync(daemon, new UnixDomainSocketEndPoint(path)))
            {
                await overUnix.AssertEchoAsync("over a unix socket");
            }

            await using var overIpv6 = await ConnectWhenBoundAsync(daemon, new IPEndPoint(IPAddress.IPv6Loopback, port));
            await overIpv6.AssertEchoAsync("over ipv6");
            await daemon.WaitForLineAsync(l => l.Contains("passed by the service manager: tcp6, local", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }

        directory.Delete(recursive: true);
    }

    [Fact]
    public async Task Accept_yes_serves_one_connection_per_process_then_exits()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        await using var activator = Activate(["--accept", "-l", $"127.0.0.1:{port}"], target.Address);
        for (var i = 0; i < 2; i++)
        {
            await using var client = await ConnectWhenBoundAsync(activator, new IPEndPoint(IPAddress.Loopback, port));
            await client.AssertEchoAsync($"connection {i}");
            await client.SendAsync(RawFrame.CloseFrame(1000));
            Assert.Equal(1000, (await client.ReadUntilCloseAsync()).Close?.CloseCode);
        }

        await activator.WaitForLineAsync(l => l.Contains("Stopping (the passed connection's end)", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Inetd_mode_takes_a_listening_socket_of_any_family_on_stdin()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        await using var daemon = DaemonProcess.StartCommand("systemd-socket-activate",
            ["-l", $"[::1]:{port}", "/bin/sh", "-c", "exec \"$0\" --inetd \"$1\" <&3 3<&-", RepositoryPaths.Binary, target.Address]);
        await using var client = await ConnectWhenBoundAsync(daemon, new IPEndPoint(IPAddress.IPv6Loopback, port));
        await client.AssertEchoAsync("inetd over ipv6");
        await daemon.WaitForLineAsync(l => l.EndsWith("  - Listen for inetd connections", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Wrap_mode_works_under_activation_and_the_program_inherits_nothing()
    {
        using var notify = new NotifyListener();
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        await using var daemon = Activate(["-l", $"127.0.0.1:{port}", "-E", $"NOTIFY_SOCKET={notify.Path}"], "--", server, port.ToString(), "4");
        await using var client = await ConnectWhenBoundAsync(daemon, new IPEndPoint(IPAddress.Loopback, port));
        Assert.Equal(101, client.StatusCode);
        var greeting = Encoding.ASCII.GetString((await client.ReadFrameAsync(TimeSpan.FromSeconds(15)))!.Payload);
        Assert.StartsWith("hello", greeting);

        var pid = int.Parse(greeting.Split(' ')[1]);
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.DoesNotContain(environment, v => v.StartsWith("LISTEN_", StringComparison.Ordinal) || v.StartsWith("NOTIFY_SOCKET=", StringComparison.Ordinal));
        // The program holds its own listening socket and this session's connection; a leaked passed socket would be a third.
        var sockets = Directory.GetFiles($"/proc/{pid}/fd").Count(fd => new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true);
        Assert.Equal(2, sockets);
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Sighup_loads_a_new_certificate_while_open_sessions_continue()
    {
        using var first = await TestCertificate.CreateAsync();
        using var second = await TestCertificate.CreateAsync();
        var certPath = Path.Combine(first.Directory, "live.pem");
        File.Copy(first.CombinedPath, certPath);
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--cert", certPath, "127.0.0.1:0", target.Address]);

        await using var open = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await open.AssertEchoAsync("before reload");
        var before = await ServerCertificateAsync(daemon.Port);

        File.Copy(second.CombinedPath, certPath, overwrite: true);
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains("Loaded certificate", StringComparison.Ordinal) && daemon.Lines.Count(x => x.Contains("Loaded certificate", StringComparison.Ordinal)) == 2, TimeSpan.FromSeconds(5));
        var after = await ServerCertificateAsync(daemon.Port);
        Assert.NotEqual(before, after);
        await open.AssertEchoAsync("after reload");

        // A broken certificate is refused and the current one kept.
        await File.WriteAllTextAsync(certPath, "garbage");
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains("keeping the current certificate", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(after, await ServerCertificateAsync(daemon.Port));
    }

    [Fact]
    public async Task Sighup_keeps_the_current_certificate_whatever_is_wrong_with_the_new_one()
    {
        using var first = await TestCertificate.CreateAsync();
        using var second = await TestCertificate.CreateAsync();
        var directory = Directory.CreateTempSubdirectory("websockify-reload-").FullName;
        var certPath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        File.Copy(first.CertPath, certPath);
        File.Copy(first.KeyPath, keyPath);
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--cert", certPath, "--key", keyPath, "127.0.0.1:0", target.Address]);
        await using var open = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        var current = await ServerCertificateAsync(daemon.Port);
        try
        {
            // A certificate that does not match the key, then a directory where the certificate was.
            var breakages = new Action[]
            {
                () => File.Copy(second.CertPath, certPath, overwrite: true),
                () => { File.Delete(certPath); Directory.CreateDirectory(certPath); },
            };
            for (var i = 0; i < breakages.Length; i++)
            {
                breakages[i]();
                daemon.Signal(Signals.SIGHUP);
                await daemon.WaitForLineAsync(
                    _ => daemon.Lines.Count(l => l.Contains("keeping the current certificate", StringComparison.Ordinal)) == i + 1, TimeSpan.FromSeconds(5));
                Assert.Equal(current, await ServerCertificateAsync(daemon.Port));
                await open.AssertEchoAsync($"after reload {i}");
            }

            Assert.Contains(daemon.Lines, l => l.Contains("it is a directory; keeping the current certificate", StringComparison.Ordinal));
            Assert.DoesNotContain(daemon.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Sighup_without_a_certificate_reloads_nothing_and_does_not_go_looking_for_self_pem()
    {
        using var notify = new NotifyListener();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m == "READY=1", TimeSpan.FromSeconds(10));

        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains("no certificate in use", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await notify.WaitForAsync(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await notify.WaitForMessagesAsync("READY=1", 1, TimeSpan.FromSeconds(5)); // the start-up READY came joined with MAINPID and STATUS
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("Reloading '", StringComparison.Ordinal) || l.Contains("not found", StringComparison.Ordinal));
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("still serving");
    }

    [Fact]
    public async Task Pid_file_is_never_written_through_a_planted_link_and_a_second_daemon_leaves_the_first_ones_file_alone()
    {
        await using var target = TcpTarget.Echo();
        var directory = Directory.CreateTempSubdirectory("websockify-pid-").FullName;
        var pidPath = Path.Combine(directory, "ws.pid");
        var victim = Path.Combine(directory, "victim");
        await File.WriteAllTextAsync(victim, "precious\n");
        File.CreateSymbolicLink(pidPath + ".tmp", victim); // the name the daemon used to write through
        try
        {
            await using var first = await DaemonProcess.StartAsync(["--pid-file", pidPath, "127.0.0.1:0", target.Address]);
            Assert.Equal($"{first.Pid}\n", await File.ReadAllTextAsync(pidPath));
            Assert.Equal("precious\n", await File.ReadAllTextAsync(victim));

            // A second daemon with the same pid file refuses to start and does not remove the first one's file.
            var (exit, _, stderr) = await DaemonProcess.RunAsync("--pid-file", pidPath, "127.0.0.1:0", target.Address);
            Assert.Equal(1, exit);
            Assert.Contains($"pid file '{pidPath}' is held by another running websockify (pid {first.Pid})", stderr);
            Assert.Equal($"{first.Pid}\n", await File.ReadAllTextAsync(pidPath));

            first.Signal(Signals.SIGTERM);
            Assert.Equal(0, await first.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.False(File.Exists(pidPath));
            Assert.Equal("precious\n", await File.ReadAllTextAsync(victim));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task A_pid_file_that_cannot_be_written_fails_start_up_with_a_message()
    {
        await using var target = TcpTarget.Echo();
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--pid-file", "/nonexistent/dir/ws.pid", "127.0.0.1:0", target.Address);
        Assert.Equal(1, exit);
        Assert.Contains("websockify: cannot write pid file '/nonexistent/dir/ws.pid': No such file or directory", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Daemon_mode_outwaits_a_wrapped_program_that_is_slow_to_listen()
    {
        // The child serves anyway after its 30 s wait for the program to listen: the parent must still be
        // waiting then, and report success (it used to give up at the same 30 s and say the daemon failed).
        var pidFile = Path.Combine(Path.GetTempPath(), $"websockify-{Guid.NewGuid():N}.pid");
        var port = TcpTarget.UnusedPort();
        var (exit, _, stderr) = await DaemonProcess.RunAsync(TimeSpan.FromSeconds(75), "-D", "--pid-file", pidFile, $"127.0.0.1:{port}", "--", "sleep", "300");
        var pid = File.Exists(pidFile) ? int.Parse(File.ReadAllText(pidFile).Trim()) : 0;
        try
        {
            Assert.True(exit == 0, stderr);
            Assert.True(pid > 0 && Directory.Exists($"/proc/{pid}"), "the daemon is not running");
        }
        finally
        {
            if (pid > 0)
            {
                Signals.Send(pid, Signals.SIGTERM);
                for (var i = 0; i < 300 && Directory.Exists($"/proc/{pid}"); i++)
                {
                    await Task.Delay(50);
                }
            }
        }
    }

    [Fact]
    public async Task Daemon_mode_returns_once_listening_and_removes_its_pid_file()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        var pidFile = Path.Combine(Path.GetTempPath(), $"websockify-{Guid.NewGuid():N}.pid");
        var (exit, _, stderr) = await DaemonProcess.RunAsync("-D", "--pid-file", pidFile, $"127.0.0.1:{port}", target.Address);
        Assert.True(exit == 0, stderr);

        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        try
        {
            await using (var client = await RawWebSocketClient.ConnectAsync(port))
            {
                await client.AssertEchoAsync("daemonized");
            }

            Assert.Equal("/", File.ResolveLinkTarget($"/proc/{pid}/cwd", false)?.FullName);
            Assert.Equal(pid, int.Parse(File.ReadAllText($"/proc/{pid}/stat").Split(' ')[5])); // session leader
        }
        finally
        {
            Signals.Send(pid, Signals.SIGTERM);
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((Directory.Exists($"/proc/{pid}") || File.Exists(pidFile)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(File.Exists(pidFile), "pid file left behind");
        Assert.False(Directory.Exists($"/proc/{pid}"), "daemon still running");
    }

    [Fact]
    public async Task Daemon_mode_reports_the_childs_start_up_error()
    {
        await using var target = TcpTarget.Echo();
        await using var taken = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        var (exit, _, stderr) = await DaemonProcess.RunAsync("-D", $"127.0.0.1:{taken.Port}", target.Address);
        Assert.Equal(1, exit);
        Assert.Contains($"cannot listen on 127.0.0.1:{taken.Port}", stderr);
    }

    [Fact]
    public async Task Unit_files_pass_systemd_analyze_verify_without_a_word()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-units-");
        foreach (var unit in Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "systemd"), "websockify*"))
        {
            var text = (await File.ReadAllTextAsync(unit)).Replace("/usr/bin/websockify", RepositoryPaths.Binary, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, Path.GetFileName(unit)), text);
        }

        // Documentation=man:websockify(1) is checked by running man(1): give it the repository's page, so
        // the test does not depend on an installed package (or on the packaging test having run first).
        var manDirectory = Directory.CreateDirectory(Path.Combine(directory.FullName, "man", "man1"));
        File.Copy(Path.Combine(RepositoryPaths.Root, "man", "websockify.1"), Path.Combine(manDirectory.FullName, "websockify.1"));
        var result = await Cli.Wrap("systemd-analyze")
            .WithArguments(["verify", "websockify@5901.service", "websockify@5901.socket", "websockify.service"])
            .WithWorkingDirectory(directory.FullName)
            .WithEnvironmentVariables(env => env.Set("MANPATH", Path.Combine(directory.FullName, "man")))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
        directory.Delete(recursive: true);

        // systemd-analyze exits 0 on many problems: any output at all is a failure.
        Assert.Equal("", result.StandardOutput + result.StandardError);
        Assert.Equal(0, result.ExitCode);
    }

    [Theory]
    [InlineData("websockify@.service", "websockify@5901.service", null, 3.0)]
    [InlineData("websockify.service", "websockify.service", null, 3.0)]
    // The drop-in gives back root and a few capabilities: it stays clear of "MEDIUM" (the README says what it costs).
    [InlineData("websockify@.service", "websockify@2023.service", "drop-ins/run-as-root.conf", 3.5)]
    public async Task Shipped_units_score_low_in_systemd_analyze_security(string file, string name, string? dropIn, double ceiling)
    {
        var directory = Directory.CreateTempSubdirectory("websockify-security-");
        try
        {
            // Offline, systemd-analyze reads the one file given: a drop-in is appended, as systemd would apply it.
            var text = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "systemd", file));
            if (dropIn is not null)
            {
                text += "\n" + await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "systemd", dropIn));
            }

            await File.WriteAllTextAsync(Path.Combine(directory.FullName, name), text);
            var result = await Cli.Wrap("systemd-analyze")
                .WithArguments(["security", "--offline=true", "--no-pager", "./" + name])
                .WithWorkingDirectory(directory.FullName)
                .WithValidation(CommandResultValidation.None)
                .ExecuteBufferedAsync();
            var overall = result.StandardOutput.Split('\n').Single(l => l.Contains("Overall exposure level for " + name + ": ", StringComparison.Ordinal));
            var score = double.Parse(overall.Split(": ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(score <= ceiling, $"{name}{(dropIn is null ? "" : " + " + dropIn)}: {overall}\n{result.StandardOutput}");
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static async Task<string> ServerCertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        string? thumbprint = null;
        await using var ssl = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) =>
        {
            thumbprint = certificate?.GetCertHashString();
            return true;
        });
        await ssl.AuthenticateAsClientAsync("localhost");
        return thumbprint!;
    }
}
