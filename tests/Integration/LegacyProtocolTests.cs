using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// The opt-in old protocols through the real binary, with raw clients written here: Hixie-76 and -75
/// (--allow-hixie) and Flash's policy request (--flash-policy), on the same port as ws, wss and http,
/// and out of reach when off.
/// </summary>
public sealed class LegacyProtocolTests
{
    /// <summary>The handshake example of draft-hixie-thewebsocketprotocol-76 (section 1.3), sent to our port.</summary>
    private static string Hixie76Request(int port, string path = "/demo") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n" +
        "Sec-WebSocket-Protocol: base64\r\nUpgrade: WebSocket\r\nSec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n" +
        "Origin: http://example.com\r\n\r\n^n:ds[4U";

    private static string Hixie75Request(int port) =>
        $"GET /old HTTP/1.1\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://example.com\r\n\r\n";

    private static byte[] HixieFrame(byte[] payload) => [0x00, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(payload)), 0xFF];

    /// <summary>Reads Hixie text frames until <paramref name="count"/> bytes arrived; each frame's base64 decoded on its own.</summary>
    private static async Task<byte[]> ReadHixieBytesAsync(Stream stream, int count)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var data = new MemoryStream();
        var one = new byte[1];
        while (data.Length < count)
        {
            await stream.ReadExactlyAsync(one, limit.Token);
            Assert.Equal(0x00, one[0]);
            var text = new StringBuilder();
            while (true)
            {
                await stream.ReadExactlyAsync(one, limit.Token);
                if (one[0] == 0xFF)
                {
                    break;
                }

                text.Append((char)one[0]);
            }

            data.Write(Convert.FromBase64String(text.ToString()));
        }

        return data.ToArray();
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = new MemoryStream();
        await stream.CopyToAsync(received, limit.Token);
        return received.ToArray();
    }

    [Fact]
    public async Task Hixie76_gets_the_drafts_answer_relays_every_byte_value_and_closes_with_its_closing_frame()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--allow-hixie", "127.0.0.1:0", target.Address]);
        await daemon.WaitForLineAsync(l => l.Contains("--allow-hixie: Hixie-75/76 clients are accepted", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Hixie76Request(daemon.Port));

        Assert.StartsWith("HTTP/1.1 101 WebSocket Protocol Handshake\r\n", client.ResponseHead);
        Assert.Contains("\r\nUpgrade: WebSocket\r\n", client.ResponseHead);
        Assert.Contains("\r\nSec-WebSocket-Origin: http://example.com\r\n", client.ResponseHead);
        Assert.Contains($"\r\nSec-WebSocket-Location: ws://127.0.0.1:{daemon.Port}/demo\r\n", client.ResponseHead);
        Assert.Contains("\r\nSec-WebSocket-Protocol: base64\r\n", client.ResponseHead);
        var answer = new byte[16];
        await client.Stream.ReadExactlyAsync(answer);
        Assert.Equal("8jKS'y:G*Co,Wxa-", Encoding.Latin1.GetString(answer));

        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        await client.SendAsync([.. HixieFrame(payload[..100]), .. HixieFrame(payload[100..])]);
        Assert.Equal(payload, await ReadHixieBytesAsync(client.Stream, payload.Length));

        await client.SendAsync([0xFF, 0x00]);
        Assert.Equal(new byte[] { 0xFF, 0x00 }, await ReadToEndAsync(client.Stream));
        await daemon.WaitForLineAsync(l => l.Contains("Hixie-76 handshake", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await daemon.WaitForLineAsync(l => l.Contains("session ended: ClientClosed", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Hixie75_handshake_relays_and_a_closing_target_closes_the_connection()
    {
        var reply = "from the target\u00ff\u0000"u8.ToArray();
        await using var target = TcpTarget.Start(async socket =>
        {
            var buffer = new byte[64];
            var read = await socket.ReceiveAsync(buffer);
            await socket.SendAsync(buffer.AsMemory(0, read));
            await socket.SendAsync(reply);
            socket.Shutdown(SocketShutdown.Send);
        });
        await using var daemon = await DaemonProcess.StartAsync(["--allow-hixie", "127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Hixie75Request(daemon.Port));

        Assert.StartsWith("HTTP/1.1 101 Web Socket Protocol Handshake\r\n", client.ResponseHead);
        Assert.Contains("\r\nWebSocket-Origin: http://example.com\r\n", client.ResponseHead);
        Assert.Contains($"\r\nWebSocket-Location: ws://127.0.0.1:{daemon.Port}/old\r\n", client.ResponseHead);
        Assert.DoesNotContain("Sec-", client.ResponseHead);
        await client.SendAsync(HixieFrame("ping"u8.ToArray()));
        var received = await ReadHixieBytesAsync(client.Stream, 4 + reply.Length);
        Assert.Equal((byte[])[.. "ping"u8.ToArray(), .. reply], received);

        Assert.Empty(await ReadToEndAsync(client.Stream)); // no closing frame in 75: the connection just ends
    }

    [Fact]
    public async Task Hixie_over_tls_names_a_wss_location_and_a_heartbeat_leaves_it_alone()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--allow-hixie", "--heartbeat", "1", "--heartbeat-timeout", "1", "--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Hixie76Request(daemon.Port, "/tls?x=1"), tls: true);

        Assert.Contains($"\r\nSec-WebSocket-Location: wss://127.0.0.1:{daemon.Port}/tls?x=1\r\n", client.ResponseHead);
        await client.Stream.ReadExactlyAsync(new byte[16]);

        // Hixie has no ping: a silent Hixie client outlives the heartbeat timeout (an RFC 6455 one would be closed).
        await Task.Delay(TimeSpan.FromSeconds(3));
        await client.SendAsync(HixieFrame("still here"u8.ToArray()));
        Assert.Equal("still here"u8.ToArray(), await ReadHixieBytesAsync(client.Stream, 10));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("no answer to the heartbeat", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_allow_hixie_a_hixie_upgrade_is_refused_as_an_unsupported_version()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Hixie76Request(daemon.Port));

        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", client.ResponseHead);
        Assert.Equal(0, target.Accepted);
    }

    [Theory]
    [InlineData("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n", "Sec-WebSocket-Key1: 12345\r\n")] // a key without spaces
    [InlineData("Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n", "")] // Key2 without Key1
    [InlineData("Origin: http://example.com\r\n", "")] // no Origin to echo
    public async Task A_malformed_hixie76_handshake_is_400_and_the_target_is_not_dialed(string replace, string with)
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--allow-hixie", "127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Hixie76Request(daemon.Port).Replace(replace, with, StringComparison.Ordinal));

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", client.ResponseHead);
        Assert.Equal(0, target.Accepted);
        await using var modern = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await modern.AssertEchoAsync("RFC 6455 still works beside it");
    }

    [Fact]
    public async Task Flash_policy_request_gets_upstreams_policy_and_the_port_still_serves_websockets_and_http()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--flash-policy", "127.0.0.1:0", target.Address]);

        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync("127.0.0.1", daemon.Port);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            foreach (var piece in new[] { "<policy-", "file-request/>", "\0" }) // in pieces, as a slow client may send it
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(piece));
                await Task.Delay(20);
            }

            Assert.Equal(
                "<cross-domain-policy><allow-access-from domain=\"*\" to-ports=\"*\" /></cross-domain-policy>\n",
                Encoding.ASCII.GetString(await ReadToEndAsync(stream)));
        }

        await daemon.WaitForLineAsync(l => l.Contains("Flash socket policy request answered", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Equal(0, target.Accepted);
        await using (var ws = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await ws.AssertEchoAsync("after the policy");
        }

        await using var plain = await RawWebSocketClient.ConnectAsync(daemon.Port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 405 ", plain.ResponseHead);
    }

    [Fact]
    public async Task Without_flash_policy_a_policy_request_is_a_bad_request()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, "<policy-file-request/>\0\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", client.ResponseHead);
        Assert.DoesNotContain("cross-domain-policy", client.ResponseHead);
    }
}
