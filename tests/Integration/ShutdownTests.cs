using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>SIGTERM and SIGINT: stop accepting, close sessions with 1001, exit 0 in bounded time.</summary>
public sealed class ShutdownTests
{
    [Theory]
    [InlineData(Signals.SIGTERM)]
    [InlineData(Signals.SIGINT)]
    public async Task Signal_closes_sessions_with_1001_and_exits_0(int signal)
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, "x"u8));
        Assert.NotNull(await client.ReadFrameAsync());

        daemon.Signal(signal);
        var close = await client.ReadFrameAsync();
        Assert.Equal(1001, close?.CloseCode);
        await client.SendAsync(RawFrame.CloseFrame(1001));

        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Client_that_ignores_the_close_does_not_hold_up_the_exit()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, "x"u8));
        Assert.NotNull(await client.ReadFrameAsync());

        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(0, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(15)));
        Assert.True(await client.WaitForEndAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task Listener_stops_accepting_at_once()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("a live session"); // registered: it gets the 1001
        daemon.Signal(Signals.SIGTERM);
        await daemon.WaitForLineAsync(l => l.Contains("Stopping (SIGTERM)", StringComparison.Ordinal), TimeSpan.FromSeconds(5));

        // The daemon closes its listeners before it sends any session its 1001: once that close frame is
        // here, a new connection must be refused.
        Assert.Equal(1001, (await client.ReadFrameAsync())?.CloseCode);
        await Assert.ThrowsAnyAsync<System.Net.Sockets.SocketException>(() => RawWebSocketClient.ConnectAsync(daemon.Port));
    }
}
