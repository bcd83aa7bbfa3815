using System.Diagnostics;
using CliWrap.Buffered;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>websockify PORT -- PROGRAM</c> with the real rebind.so (found beside the binary, as installed) and a
/// real C server that binds PORT like a daemon would.
/// </summary>
public sealed partial class WrapTests
{
    private static Task<DaemonProcess> StartWrappedAsync(int port, string mode, params string[] programArgs) =>
        StartWrappedWithAsync([], port, mode, programArgs);

    private static async Task<DaemonProcess> StartWrappedWithAsync(string[] options, int port, string mode, params string[] programArgs)
    {
        var server = await TestPrograms.BindServerAsync();
        return await DaemonProcess.StartAsync([.. options, $"--wrap-mode={mode}", $"127.0.0.1:{port}", "--", server, port.ToString(), .. programArgs]);
    }

    /// <summary>Opens a session and returns the program's greeting: "hello PID FAMILY".</summary>
    private static async Task<string> GreetingAsync(int port)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        Assert.Equal(101, client.StatusCode);
        var greeting = new StringBuilder();
        while (!greeting.ToString().EndsWith('\n'))
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(15));
            Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data, got {frame?.Opcode} {frame?.CloseCode} {frame?.CloseReason}");
            greeting.Append(Encoding.ASCII.GetString(frame!.Payload));
        }

        await client.SendAsync(RawFrame.CloseFrame(1000));
        return greeting.ToString().Trim();
    }

    private static int GreetingPid(string greeting) => int.Parse(greeting.Split(' ')[1]);

    private static async Task<int> ReportedPortAsync(DaemonProcess daemon)
    {
        var line = await daemon.WaitForLineAsync(l => l.Contains("is listening on", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        return int.Parse(ListeningPort().Match(line).Groups[1].Value);
    }

    [Theory]
    [InlineData("4")]
    [InlineData("6")]
    public async Task Program_binding_one_family_is_moved_to_loopback(string family)
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", family);
        var greeting = await GreetingAsync(port);
        Assert.StartsWith("hello", greeting);
        Assert.EndsWith(" " + family, greeting);
        Assert.Contains(daemon.Lines, l => l.Contains($"  - proxying from 127.0.0.1:{port} to '", StringComparison.Ordinal) && l.Contains("(port ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Dual_stack_program_gets_the_same_loopback_port_in_both_families()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "both");
        Assert.StartsWith("hello", await GreetingAsync(port));

        var moved = await ReportedPortAsync(daemon);
        foreach (var address in new[] { "127.0.0.1", "::1" })
        {
            using var direct = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await direct.ConnectAsync(address, moved);
            var buffer = new byte[64];
            var read = await direct.ReceiveAsync(buffer);
            Assert.StartsWith("hello", Encoding.ASCII.GetString(buffer, 0, read));
        }
    }

    [Fact]
    public async Task Program_that_probes_the_port_first_is_reported_at_its_real_listen()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "4", "--probe", "--listen-delay", "300");
        Assert.StartsWith("hello", await GreetingAsync(port));
    }

    [Fact]
    public async Task Program_that_forks_and_binds_in_the_child_is_served_in_ignore_mode()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "ignore", "4", "--fork");
        var greeting = await GreetingAsync(port);
        await daemon.WaitForLineAsync(l => l.Contains("exited with status 0", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(greeting.Split(' ')[1], (await GreetingAsync(port)).Split(' ')[1]); // still the same daemonized child
    }

    [Fact]
    public async Task Two_wrapped_daemons_started_together_never_collide()
    {
        var ports = new[] { TcpTarget.UnusedPort(), TcpTarget.UnusedPort() };
        var daemons = await Task.WhenAll(ports.Select(p => StartWrappedAsync(p, "exit", "both")));
        try
        {
            var greetings = await Task.WhenAll(ports.Select(GreetingAsync));
            Assert.NotEqual(GreetingPid(greetings[0]), GreetingPid(greetings[1]));
            Assert.NotEqual(await ReportedPortAsync(daemons[0]), await ReportedPortAsync(daemons[1]));
        }
        finally
        {
            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Exit_mode_exits_with_the_programs_status()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "4", "--exit-after", "1", "7");
        await GreetingAsync(port);
        Assert.Equal(7, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Respawn_mode_restarts_the_program_and_serves_again()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "respawn", "4", "--exit-after", "1", "0");
        var first = GreetingPid(await GreetingAsync(port));
        await daemon.WaitForLineAsync(l => l.Contains("Respawning", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        // Opened during the backoff, while nothing listens: the session waits for the new run's port.
        var second = GreetingPid(await GreetingAsync(port));
        Assert.NotEqual(first, second);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Restarts_are_counted_in_the_metrics()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedWithAsync(["--metrics", "127.0.0.1:0"], port, "respawn", "4", "--exit-after", "1", "0");
        var metrics = await MetricsTests.MetricsPortAsync(daemon);
        Assert.Contains("websockify_program_restarts_total 0\n", (await MetricsTests.GetAsync(metrics, "/metrics")).Body, StringComparison.Ordinal);
        await GreetingAsync(port);
        await daemon.WaitForLineAsync(l => l.Contains("Respawning", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await GreetingAsync(port); // served by the second run: it has started (and may be restarting again already)
        var body = (await MetricsTests.GetAsync(metrics, "/metrics")).Body;
        var restarts = int.Parse(System.Text.RegularExpressions.Regex.Match(body, @"websockify_program_restarts_total (\d+)\n").Groups[1].Value);
        Assert.InRange(restarts, 1, 3);
    }

    [Fact]
    public async Task Sigterm_stops_the_whole_program_group_leaving_no_process()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "ignore", "4", "--fork");
        var child = GreetingPid(await GreetingAsync(port));
        Assert.True(Directory.Exists($"/proc/{child}"));

        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (IsRunning(child) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(child), $"wrapped child {child} survived the daemon");
    }

    [Fact]
    public async Task Program_environment_gets_the_shim_in_front_and_none_of_the_daemons_service_variables()
    {
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        await using var daemon = await DaemonProcess.StartAsync(
            ["127.0.0.1:" + port, "--", server, port.ToString(), "4"],
            new Dictionary<string, string> { ["LD_PRELOAD"] = "libc.so.6", ["NOTIFY_SOCKET"] = "/nonexistent/notify", ["WATCHDOG_USEC"] = "1000000" });
        var pid = GreetingPid(await GreetingAsync(port));

        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
        Assert.Contains($"LD_PRELOAD={Path.Combine(RepositoryPaths.Root, "build", "lib", "rebind.so")}:libc.so.6", environment);
        Assert.Contains($"REBIND_OLD_PORT={port}", environment);
        Assert.DoesNotContain(environment, v => v.StartsWith("NOTIFY_SOCKET=", StringComparison.Ordinal) || v.StartsWith("WATCHDOG_USEC=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Program_gets_HOME_USER_LOGNAME_and_SHELL_from_passwd_when_the_service_manager_set_none()
    {
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        var user = PasswdEntryOfCurrentUser();

        // As systemd starts a service without User=: none of the four set. env(1) takes them away.
        await using (var daemon = DaemonProcess.StartCommand(
            "/usr/bin/env", ["-u", "HOME", "-u", "USER", "-u", "LOGNAME", "-u", "SHELL", RepositoryPaths.Binary, $"127.0.0.1:{port}", "--", server, port.ToString(), "4"]))
        {
            var environment = await ProgramEnvironmentAsync(port);
            Assert.Contains($"HOME={user[5]}", environment);
            Assert.Contains($"USER={user[0]}", environment);
            Assert.Contains($"LOGNAME={user[0]}", environment);
            Assert.Contains($"SHELL={(user[6].Length > 0 ? user[6] : "/bin/sh")}", environment);
        }

        // What the environment already says is kept.
        port = TcpTarget.UnusedPort();
        await using (var daemon = await DaemonProcess.StartAsync(
            [$"127.0.0.1:{port}", "--", server, port.ToString(), "4"], new Dictionary<string, string> { ["HOME"] = "/srv/desk", ["USER"] = "someone" }))
        {
            var environment = await ProgramEnvironmentAsync(port);
            Assert.Contains("HOME=/srv/desk", environment);
            Assert.Contains("USER=someone", environment);
        }
    }

    private static async Task<string[]> ProgramEnvironmentAsync(int port)
    {
        var pid = GreetingPid(await GreetingWhenListeningAsync(port));
        return (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0');
    }

    /// <summary>For a daemon started without waiting for its banner: retries until the port answers.</summary>
    private static async Task<string> GreetingWhenListeningAsync(int port)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await GreetingAsync(port);
            }
            catch (SocketException) when (attempt < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>The current user's line of /etc/passwd, split at ':'.</summary>
    private static string[] PasswdEntryOfCurrentUser()
    {
        var uid = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal))
            .Split('\t', StringSplitOptions.RemoveEmptyEntries)[2]; // real, effective, ...: the effective uid
        return File.ReadLines("/etc/passwd").Select(l => l.Split(':')).First(f => f.Length >= 7 && f[2] == uid);
    }

    [Theory]
    [InlineData("exit 3", 3)]
    [InlineData("sleep 1 & exit 0", 0)] // it leaves a process behind that never listens, then that ends too
    public async Task Ignore_mode_program_that_leaves_nothing_running_and_never_listened_is_a_failed_start(string script, int status)
    {
        using var notify = new NotifyListener();
        var port = TcpTarget.UnusedPort();
        await using var daemon = DaemonProcess.StartCommand(
            RepositoryPaths.Binary, ["--wrap-mode=ignore", $"127.0.0.1:{port}", "--", "sh", "-c", script],
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });

        // Well before the 30 s that start-up waits for a program that is still running.
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        var message = $"'sh -c {script}' exited with status {status} before listening on port {port}, and left no process running";
        Assert.Contains(daemon.Lines, l => l.Contains(message, StringComparison.Ordinal));
        await notify.WaitForAsync(m => m == $"STATUS={message}", TimeSpan.FromSeconds(5));
        Assert.DoesNotContain("READY=1", notify.Assignments);
    }

    [Fact]
    public async Task Stopping_never_signals_a_process_that_took_over_the_programs_emptied_group()
    {
        // In a pid namespace of the test's own, where ns_last_pid lets it hand out a chosen pid: the wrapped
        // shell daemonizes the server into a session of its own and exits, so its process group is empty;
        // an unrelated `setsid sleep` then gets the shell's pid, which makes it leader of a group with the
        // same number. Stopping the daemon must leave that process alone.
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        var directory = Directory.CreateTempSubdirectory("websockify-pgid-").FullName;
        var script = $$"""
            set -e
            d={{directory}}
            "{{RepositoryPaths.Binary}}" --wrap-mode=ignore 127.0.0.1:{{port}} -- sh -c 'echo $$ > '"$d"'/leader; setsid -f "$0" {{port}} 4; exit 0' "{{server}}" > "$d/daemon.log" 2>&1 &
            daemon=$!
            for i in $(seq 1 200); do grep -q 'is listening on' "$d/daemon.log" && break; sleep 0.05; done
            leader=$(cat "$d/leader")
            for i in $(seq 1 100); do [ -d /proc/$leader ] || break; sleep 0.05; done
            echo $((leader - 1)) > /proc/sys/kernel/ns_last_pid
            setsid sleep 300 &
            sleeper=$!
            echo "leader=$leader sleeper=$sleeper"
            kill -TERM $daemon
            wait $daemon || true
            if kill -0 $sleeper 2>/dev/null; then echo SURVIVED; else echo KILLED; fi
            kill -KILL $sleeper 2>/dev/null || true
            """;
        try
        {
            var result = await CliWrap.Cli.Wrap("unshare").WithArguments(["--pid", "--fork", "--mount-proc", "sh", "-c", script])
                .WithValidation(CliWrap.CommandResultValidation.None)
                .ExecuteBufferedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            var output = result.StandardOutput;
            var line = output.Split('\n').First(l => l.StartsWith("leader=", StringComparison.Ordinal));
            var fields = line.Split(' ').Select(f => f.Split('=')[1]).ToArray();
            Assert.True(fields[0] == fields[1], $"the sleeper did not get the leader's pid: {line}\n{await File.ReadAllTextAsync(Path.Combine(directory, "daemon.log"))}");
            Assert.Contains("SURVIVED", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("exit")]
    [InlineData("ignore")]
    public async Task A_program_that_cannot_be_started_stops_the_daemon_with_a_message(string mode)
    {
        // With no PATH to find setsid in, starting the program fails as fork/exec would (EAGAIN, ENOMEM).
        await using var daemon = DaemonProcess.StartCommand(
            "/usr/bin/env", ["PATH=/nonexistent", RepositoryPaths.Binary, $"--wrap-mode={mode}", $"127.0.0.1:{TcpTarget.UnusedPort()}", "--", "true"]);
        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains(daemon.Lines, l => l.Contains("Cannot start 'true': ", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Respawn_mode_retries_a_program_that_cannot_be_started()
    {
        await using var daemon = DaemonProcess.StartCommand(
            "/usr/bin/env", ["PATH=/nonexistent", RepositoryPaths.Binary, "--wrap-mode=respawn", $"127.0.0.1:{TcpTarget.UnusedPort()}", "--", "true"]);
        await daemon.WaitForLineAsync(l => l.Contains("Cannot start 'true': ", StringComparison.Ordinal) && l.EndsWith("trying again in 1 s", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await daemon.WaitForLineAsync(l => l.EndsWith("trying again in 2 s", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.False(daemon.HasExited);
        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // -D makes its own private socket for the child's READY=1
    public async Task A_TMPDIR_too_long_for_a_unix_socket_fails_start_up_with_a_message(bool daemonize)
    {
        var tmp = Path.Combine(Path.GetTempPath(), "websockify-" + new string('t', 110));
        Directory.CreateDirectory(tmp);
        try
        {
            await using var daemon = DaemonProcess.StartCommand(
                "/usr/bin/env", ["TMPDIR=" + tmp, RepositoryPaths.Binary, .. daemonize ? new[] { "-D" } : [], $"127.0.0.1:{TcpTarget.UnusedPort()}", "--", "true"]);
            Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
            Assert.Contains(daemon.Lines, l => l.Contains("(TMPDIR) is too long a path for a Unix socket", StringComparison.Ordinal));
            Assert.DoesNotContain(daemon.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    [Fact]
    public async Task Missing_rebind_library_fails_start_up()
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--rebind-lib", "/nonexistent/rebind.so", "127.0.0.1:0", "--", "true");
        Assert.Equal(1, exit);
        Assert.Contains("rebind.so not found", stderr);
    }

    [Fact]
    public async Task Shim_leaves_other_ports_untouched()
    {
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        var psi = new ProcessStartInfo(server, [port.ToString(), "4"])
        {
            Environment =
            {
                ["LD_PRELOAD"] = Path.Combine(RepositoryPaths.Root, "build", "lib", "rebind.so"),
                ["REBIND_OLD_PORT"] = TcpTarget.UnusedPort().ToString(),
            },
        };
        using var program = Process.Start(psi)!;
        try
        {
            using var direct = new Socket(SocketType.Stream, ProtocolType.Tcp);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                try
                {
                    await direct.ConnectAsync("127.0.0.1", port); // bound where it asked: 0.0.0.0:port
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }
            }

            var buffer = new byte[64];
            Assert.StartsWith("hello", Encoding.ASCII.GetString(buffer, 0, await direct.ReceiveAsync(buffer)));
        }
        finally
        {
            program.Kill();
            await program.WaitForExitAsync();
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[1].StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"is listening on (?:\[::1\]|127\.0\.0\.1):(\d+)")]
    private static partial Regex ListeningPort();
}
