using System.Net.Sockets;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--drain-timeout</c> through the real binary: on SIGTERM nothing new is accepted, open sessions go
/// on and may finish, what is left after the timeout gets 1001; systemd hears STOPPING=1 and how many
/// are left; a second signal cuts the drain short.
/// </summary>
public sealed class DrainTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);

    private static async Task<bool> RefusedAsync(int port)
    {
        try
        {
            await using var client = await RawWebSocketClient.ConnectAsync(port);
            return client.StatusCode != 101;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return true;
        }
    }

    [Fact]
    public async Task Open_sessions_go_on_until_they_finish_and_nothing_new_is_accepted()
    {
        using var notify = new NotifyListener();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--drain-timeout", "30", "127.0.0.1:0", target.Address], new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await using var first = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await using var second = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await first.AssertEchoAsync("before");
        await second.AssertEchoAsync("before");

        daemon.Signal(Signals.SIGTERM);
        await daemon.WaitForLineAsync(l => l.Contains("Draining (SIGTERM): accepting no more; 2 connection(s) may finish within --drain-timeout 30 s", StringComparison.Ordinal), Bound);
        await notify.WaitForAsync(m => m.Contains("STOPPING=1", StringComparison.Ordinal), Bound);
        await notify.WaitForAsync(m => m.Contains("STATUS=draining (SIGTERM): 2 connection(s) left", StringComparison.Ordinal), Bound);
        Assert.True(await RefusedAsync(daemon.Port), "a new session was accepted while draining");
        await first.AssertEchoAsync("during the drain");
        await second.AssertEchoAsync("during the drain");

        await first.SendAsync(RawFrame.CloseFrame(1000));
        Assert.Equal(1000, (await first.ReadUntilCloseAsync()).Close?.CloseCode);
        await notify.WaitForAsync(m => m.Contains("STATUS=draining (SIGTERM): 1 connection(s) left", StringComparison.Ordinal), Bound);
        await second.AssertEchoAsync("still here");
        await second.SendAsync(RawFrame.CloseFrame(1000));
        Assert.Equal(1000, (await second.ReadUntilCloseAsync()).Close?.CloseCode);

        Assert.Equal(0, await daemon.WaitForExitAsync(Bound)); // long before the 30 s: the last one ended
        Assert.Contains(daemon.Lines, l => l.Contains("Drain over: every connection ended; 0 connection(s) left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task What_is_left_after_the_timeout_gets_1001()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--drain-timeout", "1.5", "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("before");
        var signalled = DateTime.UtcNow;
        daemon.Signal(Signals.SIGTERM);
        await daemon.WaitForLineAsync(l => l.Contains("Draining (SIGTERM)", StringComparison.Ordinal), Bound);
        await client.AssertEchoAsync("during");

        var close = await client.ReadFrameAsync(Bound);
        Assert.Equal(1001, close?.CloseCode);
        Assert.True(DateTime.UtcNow - signalled >= TimeSpan.FromSeconds(1.4), "closed before the drain timeout");
        await client.SendAsync(RawFrame.CloseFrame(1001));
        Assert.Equal(0, await daemon.WaitForExitAsync(Bound));
        Assert.Contains(daemon.Lines, l => l.Contains("Drain over: the drain timeout passed; 1 connection(s) left", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_signal_cuts_the_drain_short()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--drain-timeout", "600", "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("before");
        daemon.Signal(Signals.SIGTERM);
        await daemon.WaitForLineAsync(l => l.Contains("Draining (SIGTERM)", StringComparison.Ordinal), Bound);
        daemon.Signal(Signals.SIGINT);
        Assert.Equal(1001, (await client.ReadFrameAsync(Bound))?.CloseCode);
        await client.SendAsync(RawFrame.CloseFrame(1001));
        Assert.Equal(0, await daemon.WaitForExitAsync(Bound));
        Assert.Contains(daemon.Lines, l => l.Contains("Drain over: cut short by a second signal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_option_sessions_get_1001_at_once()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("before");
        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(1001, (await client.ReadFrameAsync(TimeSpan.FromSeconds(5)))?.CloseCode);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("Draining", StringComparison.Ordinal));
    }
}
