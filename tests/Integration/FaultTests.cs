using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// Faults on either side, through the real binary: each time the session at fault gets the documented
/// answer, a second session beside it goes on, and the daemon lives on without leaking.
/// </summary>
public sealed class FaultTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    /// <summary>A session that must not be disturbed by the fault in the other one.</summary>
    private static async Task<RawWebSocketClient> BystanderAsync(int port)
    {
        var client = await RawWebSocketClient.ConnectAsync(port);
        await client.AssertEchoAsync("bystander before");
        return client;
    }

    private static async Task<(WireFrame? Close, byte[] Data)> UntilCloseAsync(RawWebSocketClient client) =>
        await client.ReadUntilCloseAsync(Bound);

    [Fact]
    public async Task A_target_that_resets_mid_stream_gets_its_client_1011_after_the_bytes_it_sent()
    {
        var echo = TcpTarget.Echo();
        await using var _ = echo;
        var resetting = TcpTarget.Start(async socket =>
        {
            await socket.SendAsync("partial"u8.ToArray());
            await Task.Delay(200);
            socket.LingerState = new LingerOption(true, 0); // close with RST
            socket.Close();
        });
        await using var __ = resetting;
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", resetting.Address]);
        await using var bystanderDaemon = await DaemonProcess.StartAsync(["127.0.0.1:0", echo.Address]);
        await using var bystander = await BystanderAsync(bystanderDaemon.Port);
        var fdsBefore = daemon.OpenFds();

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        var (close, data) = await UntilCloseAsync(client);

        Assert.Equal("partial", Encoding.ASCII.GetString(data));
        Assert.Equal(1011, close?.CloseCode);
        Assert.Equal("Target connection error", close?.CloseReason);
        await daemon.WaitForLineAsync(l => l.Contains("session ended: TargetError", StringComparison.Ordinal), Bound);
        Assert.True(await client.WaitForEndAsync(Bound));
        await AssertFdsBackAsync(daemon, fdsBefore);
        await bystander.AssertEchoAsync("bystander after");
    }

    [Fact]
    public async Task A_target_that_accepts_and_never_reads_is_dropped_after_the_send_timeout_and_the_client_gets_1011()
    {
        var accepted = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        var silent = TcpTarget.Start(async socket =>
        {
            socket.ReceiveBufferSize = 4096;
            accepted.TrySetResult(socket);
            await Task.Delay(TimeSpan.FromSeconds(30)); // holds the connection, reads nothing
        });
        await using var _ = silent;
        await using var daemon = await DaemonProcess.StartAsync(["--send-timeout", "2", "127.0.0.1:0", silent.Address]);
        var rssBefore = daemon.ResidentBytes();

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        using var stop = new CancellationTokenSource();
        var frame = RawFrame.Build(RawFrame.Binary, new byte[16 * 1024]);
        var sending = Task.Run(async () =>
        {
            var sent = 0L;
            try
            {
                while (!stop.IsCancellationRequested && sent < 512L * 1024 * 1024)
                {
                    await client.Stream.WriteAsync(frame, stop.Token); // blocks under backpressure
                    sent += frame.Length;
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }

            return sent;
        });
        await accepted.Task.WaitAsync(Bound);

        var close = await client.ReadFrameAsync(Bound);
        await stop.CancelAsync();
        var sent = await sending;

        Assert.Equal(1011, close?.CloseCode);
        var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: TargetSendTimeout", StringComparison.Ordinal), Bound);
        Assert.Contains("the target read nothing of a write for 2 s", ended, StringComparison.Ordinal);
        Assert.True(sent < 64L * 1024 * 1024, $"backpressure let {sent} bytes in");
        Assert.True(daemon.ResidentBytes() - rssBefore < 32L * 1024 * 1024, "the daemon buffered what the target did not read");
    }

    [Fact]
    public async Task A_target_process_that_is_killed_ends_its_session_with_target_closed()
    {
        var port = TcpTarget.UnusedPort();
        using var socat = Process.Start(new ProcessStartInfo("socat", [$"TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr", "EXEC:cat"])
        {
            RedirectStandardError = true,
        })!;
        try
        {
            await using var echo = TcpTarget.Echo();
            await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", $"127.0.0.1:{port}"]);
            await using var bystanderDaemon = await DaemonProcess.StartAsync(["127.0.0.1:0", echo.Address]);
            await using var bystander = await BystanderAsync(bystanderDaemon.Port);

            RawWebSocketClient? client = null;
            for (var attempt = 0; attempt < 50 && client is null; attempt++)
            {
                var candidate = await RawWebSocketClient.ConnectAsync(daemon.Port);
                await candidate.SendAsync(RawFrame.Build(RawFrame.Binary, "through cat"u8));
                var first = await candidate.ReadFrameAsync(Bound);
                if (first is { Opcode: RawFrame.Binary })
                {
                    client = candidate;
                }
                else
                {
                    await candidate.DisposeAsync(); // socat was not listening yet: 1011
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(client);
            await using var _ = client;
            socat.Kill(); // by its PID, SIGKILL: the target vanishes; its kernel closes the connection
            var (close, _) = await UntilCloseAsync(client);
            Assert.Equal(1000, close?.CloseCode);
            Assert.Equal("Target closed", close?.CloseReason);
            await bystander.AssertEchoAsync("bystander after");
        }
        finally
        {
            if (!socat.HasExited)
            {
                socat.Kill();
            }
        }
    }

    [Fact]
    public async Task Data_a_client_sends_after_its_close_frame_never_reaches_the_target()
    {
        var received = new MemoryStream();
        var targetDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var target = TcpTarget.Start(async socket =>
        {
            var buffer = new byte[4096];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                lock (received)
                {
                    received.Write(buffer, 0, read);
                }
            }

            targetDone.TrySetResult();
        });
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);

        await client.SendAsync([
            .. RawFrame.Build(RawFrame.Binary, "before"u8), .. RawFrame.CloseFrame(1000, "bye"),
            .. RawFrame.Build(RawFrame.Binary, "after the close"u8), .. RawFrame.Build(RawFrame.Binary, "and more"u8)]);

        var (close, _) = await UntilCloseAsync(client);
        Assert.Equal(1000, close?.CloseCode);
        Assert.Equal("bye", close?.CloseReason);
        Assert.True(await client.WaitForEndAsync(Bound));
        await targetDone.Task.WaitAsync(Bound); // the target got its FIN
        Assert.Equal("before", Encoding.ASCII.GetString(received.ToArray()));
    }

    [Fact]
    public async Task A_full_disk_under_the_log_file_costs_log_lines_only_and_they_are_counted_once_there_is_room()
    {
        var scratch = Directory.CreateTempSubdirectory("websockify-fulldisk-");
        using var cleanup = new TemporaryDirectory(scratch);
        var mount = await Run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", scratch.FullName);
        Assert.True(mount == 0, "cannot mount a tmpfs for the test (root is needed)");
        try
        {
            var logFile = Path.Combine(scratch.FullName, "websockify.log");
            await using var target = TcpTarget.Echo();
            await using var daemon = await DaemonProcess.StartAsync(["-v", "--log-file", logFile, "127.0.0.1:0", target.Address]);

            // About 300 bytes of log a session: 400 sessions fill 64 KiB twice over.
            for (var i = 0; i < 400; i++)
            {
                await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
                await client.AssertEchoAsync($"session {i}");
                await client.SendAsync(RawFrame.CloseFrame(1000));
                await client.ReadUntilCloseAsync(Bound);
            }

            Assert.False(daemon.HasExited);
            Assert.True(new FileInfo(logFile).Length <= 64 * 1024);

            // Room again: the next lines arrive, after a count of those that were lost.
            await File.WriteAllTextAsync(logFile, "");
            await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
            {
                await client.AssertEchoAsync("with room again");
            }

            string text = "";
            for (var poll = 0; poll < 100 && !text.Contains("dropped: the log file was not accepting writes", StringComparison.Ordinal); poll++)
            {
                await Task.Delay(50);
                text = await File.ReadAllTextAsync(logFile);
            }

            Assert.Matches(@"\d+ log lines dropped: the log file was not accepting writes", text);
        }
        finally
        {
            await Run("umount", "-l", scratch.FullName);
        }
    }

    [Fact]
    public async Task A_sighup_storm_while_sessions_run_changes_nothing_for_them_and_leaks_nothing()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);
        var sessions = new List<RawWebSocketClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                sessions.Add(await RawWebSocketClient.ConnectAsync(daemon.Port, tls: i % 2 == 0));
                await sessions[i].AssertEchoAsync($"before {i}");
            }

            var fds = daemon.OpenFds();
            var threads = daemon.Threads();
            for (var i = 0; i < 200; i++)
            {
                daemon.Signal(Signals.SIGHUP);
                if (i % 20 == 0)
                {
                    await sessions[i / 20 % sessions.Count].AssertEchoAsync($"during {i}");
                }

                await Task.Delay(5);
            }

            // Each SIGHUP that was not merged with another one reloads the certificate and says so.
            await daemon.WaitForLinesAsync(l => l.Contains("Loaded certificate", StringComparison.Ordinal), 10, TimeSpan.FromSeconds(5));
            await Task.Delay(500); // the last reloads finish
            for (var i = 0; i < sessions.Count; i++)
            {
                await sessions[i].AssertEchoAsync($"after {i}");
            }

            await using (var fresh = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true))
            {
                await fresh.AssertEchoAsync("a new wss session after the storm");
            }

            await AssertFdsBackAsync(daemon, fds);
            Assert.True(daemon.Threads() <= threads + 4, $"threads {threads} -> {daemon.Threads()}");
            Assert.False(daemon.HasExited);
        }
        finally
        {
            foreach (var session in sessions)
            {
                await session.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Sigterm_during_stalled_tls_handshakes_exits_0_promptly_and_open_sessions_get_1001()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);
        await using var session = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await session.AssertEchoAsync("open");
        var stalled = new List<Socket>();
        try
        {
            for (var i = 0; i < 40; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, daemon.Port);
                await socket.SendAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 }); // a ClientHello that never finishes
                stalled.Add(socket);
            }

            await Task.Delay(300);
            var stopwatch = Stopwatch.StartNew();
            daemon.Signal(Signals.SIGTERM);
            var close = await session.ReadFrameAsync(Bound);
            Assert.Equal(0, await daemon.WaitForExitAsync(Bound));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(8), $"exit took {stopwatch.Elapsed}");
            Assert.Equal(1001, close?.CloseCode);
            Assert.DoesNotContain(daemon.Lines, l => l.Contains("   at ", StringComparison.Ordinal));
        }
        finally
        {
            foreach (var socket in stalled)
            {
                socket.Dispose();
            }
        }
    }

    /// <summary>Connections just closed may take a moment to leave the daemon's fd table: bounded polling.</summary>
    [Fact]
    public async Task A_client_that_vanishes_without_a_fin_while_data_flows_to_it_is_dropped_after_the_send_timeout()
    {
        // In a namespace of the test's own, the vanished client's packets are dropped both ways: our
        // writes are never acknowledged, as when its host loses power.
        await using var ns = await NetworkNamespace.CreateAsync();
        var flooding = ns.Run(() => TcpTarget.Start(async socket =>
        {
            var chunk = new byte[64 * 1024];
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
                while (true)
                {
                    await socket.SendAsync(chunk, limit.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
            }
        }));
        await using var _ = flooding;
        var echo = ns.Run(TcpTarget.Echo);
        await using var __ = echo;
        await using var daemon = await StartInAsync(ns, ["--send-timeout", "2", "127.0.0.1:0", flooding.Address]);
        await using var bystanderDaemon = await StartInAsync(ns, ["127.0.0.1:0", echo.Address]);
        await using var bystander = await ConnectInAsync(ns, bystanderDaemon.Port);
        await bystander.AssertEchoAsync("bystander before");
        var fdsBefore = daemon.OpenFds();

        var vanishing = await ConnectInAsync(ns, daemon.Port);
        await using var ___ = vanishing;
        Assert.NotNull(await vanishing.ReadFrameAsync(Bound)); // data flows
        await ns.BlackHoleAsync(((IPEndPoint)vanishing.LocalEndPoint!).Port);

        var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: SendTimeout", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        Assert.Contains("the client read nothing of a write for 2 s", ended, StringComparison.Ordinal);
        await AssertFdsBackAsync(daemon, fdsBefore);
        await bystander.AssertEchoAsync("bystander after");
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task An_idle_client_that_vanishes_without_a_fin_is_closed_by_the_heartbeat_and_its_target_released()
    {
        await using var ns = await NetworkNamespace.CreateAsync();
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var target = ns.Run(() => TcpTarget.Start(async socket =>
        {
            var buffer = new byte[1024];
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            try
            {
                while (await socket.ReceiveAsync(buffer, limit.Token) > 0)
                {
                }

                released.TrySetResult(); // the daemon closed its side
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                released.TrySetResult();
            }
        }));
        await using var _ = target;
        await using var daemon = await StartInAsync(ns, ["--heartbeat", "1", "--heartbeat-timeout", "3", "127.0.0.1:0", target.Address]);
        var fdsIdle = daemon.OpenFds();

        var vanishing = await ConnectInAsync(ns, daemon.Port);
        await using var __ = vanishing;
        Assert.Equal(RawFrame.Ping, (await vanishing.ReadFrameAsync(Bound))?.Opcode); // the heartbeat runs
        await ns.BlackHoleAsync(((IPEndPoint)vanishing.LocalEndPoint!).Port);

        await daemon.WaitForLineAsync(l => l.Contains("no answer to the heartbeat for 3 s, closing", StringComparison.Ordinal), Bound);
        await released.Task.WaitAsync(Bound);
        await AssertFdsBackAsync(daemon, fdsIdle);

        // A client that answers is served on (its pongs are what the heartbeat waits for).
        await using var other = await ConnectInAsync(ns, daemon.Port);
        for (var round = 0; round < 4; round++)
        {
            var ping = await other.ReadFrameAsync(Bound);
            Assert.Equal(RawFrame.Ping, ping?.Opcode);
            await other.SendAsync(RawFrame.Build(RawFrame.Pong, ping!.Payload));
        }

        Assert.False(daemon.HasExited);
    }

    private static Task<DaemonProcess> StartInAsync(NetworkNamespace ns, string[] args) =>
        DaemonProcess.StartAsync(["--net=" + ns.NetPath, "--", RepositoryPaths.Binary, .. args], binary: "nsenter");

    private static Task<RawWebSocketClient> ConnectInAsync(NetworkNamespace ns, int port) =>
        RawWebSocketClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), RawWebSocketClient.UpgradeRequest(port),
            socket: ns.Run(() => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true }));

    private static async Task AssertFdsBackAsync(DaemonProcess daemon, int before)
    {
        var now = daemon.OpenFds();
        for (var poll = 0; poll < 100 && now > before; poll++)
        {
            await Task.Delay(50);
            now = daemon.OpenFds();
        }

        Assert.True(now <= before, $"fds {before} -> {now}");
    }

    private static async Task<int> Run(string program, params string[] args)
    {
        var result = await CliWrap.Cli.Wrap(program).WithArguments(args).WithValidation(CliWrap.CommandResultValidation.None)
            .ExecuteAsync();
        return result.ExitCode;
    }
}
