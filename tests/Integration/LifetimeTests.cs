using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>--timeout, --idle-timeout and --run-once through the real binary: when it stops accepting, what it lets finish, how it exits.</summary>
public sealed class LifetimeTests
{
    private static async Task<bool> RefusedAsync(int port)
    {
        using var probe = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await probe.ConnectAsync("127.0.0.1", port);
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
    }

    [Fact]
    public async Task Timeout_stops_accepting_but_lets_the_open_session_finish_then_exits_0()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--timeout", "2", "127.0.0.1:0", target.Address]);
        var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("before");

        await daemon.WaitForLineAsync(l => l.EndsWith("listener exit due to --timeout 2", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(await RefusedAsync(daemon.Port));
        await client.AssertEchoAsync("after the deadline"); // not cut off
        Assert.False(daemon.HasExited);

        await client.SendAsync(RawFrame.CloseFrame(1000));
        await client.ReadUntilCloseAsync();
        await client.DisposeAsync();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Idle_timeout_exits_0_once_nothing_was_open_for_that_long()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--idle-timeout", "2", "127.0.0.1:0", target.Address]);
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            for (var i = 0; i < 4; i++)
            {
                await Task.Delay(1000);
                await client.AssertEchoAsync($"busy {i}"); // a session open for 4 s holds the idle clock off
            }

            Assert.False(daemon.HasExited);
            await client.SendAsync(RawFrame.CloseFrame(1000));
            await client.ReadUntilCloseAsync();
        }

        var closedAt = DateTime.UtcNow;
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.InRange((DateTime.UtcNow - closedAt).TotalSeconds, 1.5, 6);
        Assert.Contains(daemon.Lines, l => l.EndsWith("listener exit due to --idle-timeout 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_once_serves_one_websocket_session_ignoring_probes_and_plain_requests_then_exits_0()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--run-once", "127.0.0.1:0", target.Address]);

        using (var probe = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await probe.ConnectAsync("127.0.0.1", daemon.Port); // a bare TCP probe, closed at once
        }

        await using (var plain = await RawHttpConnection.OpenAsync(daemon.Port))
        {
            Assert.Equal(405, (await plain.ExchangeAsync(RawHttpConnection.Get("/", extra: "Connection: close\r\n"))).Status);
        }

        var first = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await first.AssertEchoAsync("the one session");

        // One at a time: a second client waits, unanswered, while the first session runs...
        using var second = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await second.ConnectAsync("127.0.0.1", daemon.Port);
        await second.SendAsync(Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(daemon.Port)));
        var buffer = new byte[1024];
        var pending = second.ReceiveAsync(buffer);
        await Task.Delay(500);
        Assert.False(pending.IsCompleted);

        // ...and is closed unserved when the first ends and the daemon exits.
        await first.SendAsync(RawFrame.CloseFrame(1000));
        await first.ReadUntilCloseAsync();
        await first.DisposeAsync();
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.Contains(daemon.Lines, l => l.EndsWith("exiting due to --run-once", StringComparison.Ordinal));
        int read;
        try
        {
            read = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (SocketException)
        {
            read = 0;
        }

        Assert.Equal(0, read); // no 101, no bytes: closed
    }

    [Fact]
    public async Task Under_systemd_the_end_on_its_own_is_a_clean_stop()
    {
        using var notify = new NotifyListener();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--timeout", "1", "127.0.0.1:0", target.Address], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await notify.WaitForAsync(m => m.Contains("READY=1", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await notify.WaitForAsync(m => m.Contains("STOPPING=1", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.Contains("STATUS=listener exit due to --timeout 1", notify.Assignments);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        await notify.WaitForAsync(m => m.Contains("STATUS=stopping (listener exit due to --timeout 1)", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Single(notify.Assignments, a => a == "STOPPING=1"); // once, when it ended
    }

    [Fact]
    public async Task An_accept_yes_instance_is_unchanged_by_run_once_and_its_timeout_cuts_nothing_off()
    {
        // systemd Accept=yes: one connection per process already. Each is served in full, the second too,
        // and a session outlasting --timeout 1 is not cut off.
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        await using var activator = DaemonProcess.StartCommand(
            "systemd-socket-activate", ["--accept", "-l", $"127.0.0.1:{port}", RepositoryPaths.Binary, "--run-once", "--timeout", "1", target.Address]);
        await activator.WaitForLineAsync(l => l.StartsWith($"Listening on 127.0.0.1:{port} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        for (var i = 0; i < 2; i++)
        {
            await using var client = await RawWebSocketClient.ConnectAsync(port);
            await client.AssertEchoAsync($"connection {i}");
            await Task.Delay(1500);
            await client.AssertEchoAsync($"connection {i}, past the timeout");
            await client.SendAsync(RawFrame.CloseFrame(1000));
            Assert.Equal(1000, (await client.ReadUntilCloseAsync()).Close?.CloseCode);
        }
    }

    [Theory]
    [InlineData("--timeout=1.5", "option --timeout: invalid integer value: '1.5'")]
    [InlineData("--idle-timeout=x", "option --idle-timeout: invalid integer value: 'x'")]
    public async Task Bad_values_are_usage_errors(string option, string message)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync(option, "127.0.0.1:0", "127.0.0.1:9");
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }
}
