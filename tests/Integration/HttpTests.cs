using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>What the daemon answers to requests that are not a valid upgrade.</summary>
public sealed class HttpTests : EchoDaemonTest
{
    private async Task<string> ExchangeAsync(string request)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(Daemon.Port, request: request);
        Assert.True(await client.WaitForEndAsync(TimeSpan.FromSeconds(5)), "connection stayed open after an error response");
        return client.ResponseHead;
    }

    [Fact]
    public async Task Plain_get_without_web_root_is_405() =>
        Assert.StartsWith("HTTP/1.1 405 Method Not Allowed\r\n", await ExchangeAsync("GET /vnc.html HTTP/1.1\r\nHost: x\r\n\r\n"));

    [Fact]
    public async Task Unsupported_version_is_426_naming_version_13()
    {
        var head = await ExchangeAsync(RawWebSocketClient.UpgradeRequest(Daemon.Port).Replace("Version: 13", "Version: 12", StringComparison.Ordinal));
        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", head);
        Assert.Contains("\r\nSec-WebSocket-Version: 13\r\n", head);
    }

    [Fact]
    public async Task Missing_key_is_400()
    {
        var request = string.Join("\r\n", RawWebSocketClient.UpgradeRequest(Daemon.Port).Split("\r\n").Where(l => !l.StartsWith("Sec-WebSocket-Key", StringComparison.Ordinal)));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", await ExchangeAsync(request));
    }

    [Fact]
    public async Task Oversized_headers_are_431()
    {
        var request = RawWebSocketClient.UpgradeRequest(Daemon.Port).Replace("\r\n\r\n", $"\r\nX-Junk: {new string('a', 20000)}\r\n\r\n", StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 431 ", await ExchangeAsync(request));
    }

    [Fact]
    public async Task Garbage_is_400() =>
        Assert.StartsWith("HTTP/1.1 400 ", await ExchangeAsync("HELLO\r\n\r\n"));

    [Fact]
    public async Task Only_binary_is_echoed_as_subprotocol()
    {
        await using var offered = await RawWebSocketClient.ConnectAsync(Daemon.Port, protocols: "base64, binary");
        Assert.Contains("\r\nSec-WebSocket-Protocol: binary\r\n", offered.ResponseHead);
        await using var none = await RawWebSocketClient.ConnectAsync(Daemon.Port);
        Assert.Equal(101, none.StatusCode);
        Assert.DoesNotContain("Sec-WebSocket-Protocol", none.ResponseHead);
    }

    [Fact]
    public async Task Silent_client_is_dropped_after_the_handshake_timeout_while_others_are_served()
    {
        // --handshake-timeout shortens the 10 s default, so the test does not wait for it; the exact
        // deadline is checked on a fake clock in ConnectionPipelineTests.
        await using var daemon = await DaemonProcess.StartAsync(["--handshake-timeout", "0.5", "127.0.0.1:0", Target.Address]);
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync("127.0.0.1", daemon.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: x\r\n")); // never finishes the head

        await using (var other = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            Assert.Equal(101, other.StatusCode); // a client that completes its handshake is not disturbed
        }

        var buffer = new byte[256];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, limit.Token);
        Assert.Equal(0, read);
        await daemon.WaitForLineAsync(l => l.Contains("handshake not completed within 0.5 s", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }
}
