using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>The data path through the real binary, with the runtime's own WebSocket client as the browser.</summary>
public sealed class BridgeTests
{
    private static async Task<ClientWebSocket> ConnectAsync(int port, string? subprotocol = "binary")
    {
        var client = new ClientWebSocket();
        if (subprotocol is not null)
        {
            client.Options.AddSubProtocol(subprotocol);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), timeout.Token);
        return client;
    }

    private static async Task<byte[]> ReceiveAllAsync(ClientWebSocket client)
    {
        var data = new MemoryStream();
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return data.ToArray();
            }

            data.Write(buffer, 0, result.Count);
        }
    }

    [Fact]
    public async Task One_mebibyte_each_way_arrives_byte_exact()
    {
        var up = RandomNumberGenerator.GetBytes(1 << 20);
        var down = RandomNumberGenerator.GetBytes(1 << 20);
        var receivedByTarget = new TaskCompletionSource<byte[]>();
        await using var target = TcpTarget.Start(async socket =>
        {
            var sending = socket.SendAsync(down);
            var received = new MemoryStream();
            var buffer = new byte[70000];
            while (received.Length < up.Length)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }

            await sending;
            receivedByTarget.SetResult(received.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }
        });
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        using var client = await ConnectAsync(daemon.Port);

        var receiving = ReceiveAllAsync(client);
        for (var offset = 0; offset < up.Length; offset += 100_000)
        {
            await client.SendAsync(up.AsMemory(offset, Math.Min(100_000, up.Length - offset)), WebSocketMessageType.Binary, true, default);
        }

        Assert.Equal(up, await receivedByTarget.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(down, await receiving);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
        Assert.Equal("Target closed", client.CloseStatusDescription);
    }

    [Fact]
    public async Task Client_close_is_echoed_and_the_target_gets_a_fin_after_all_data()
    {
        var targetSaw = new TaskCompletionSource<string>();
        await using var target = TcpTarget.Start(async socket =>
        {
            var received = new MemoryStream();
            var buffer = new byte[1024];
            int read;
            while ((read = await socket.ReceiveAsync(buffer)) > 0)
            {
                received.Write(buffer, 0, read);
            }

            targetSaw.SetResult(Encoding.ASCII.GetString(received.ToArray()));
        });
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, protocols: "binary");
        Assert.Equal(101, client.StatusCode);

        await client.SendAsync([.. RawFrame.Build(RawFrame.Binary, "last words"u8), .. RawFrame.CloseFrame(4000, "bye")]);

        Assert.Equal("last words", await targetSaw.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        var (close, _) = await client.ReadUntilCloseAsync();
        Assert.Equal(4000, close?.CloseCode);
        Assert.Equal("bye", close?.CloseReason);
        Assert.True(await client.WaitForEndAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Refused_target_closes_with_1011_after_the_handshake()
    {
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", $"127.0.0.1:{TcpTarget.UnusedPort()}"]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.Equal(101, client.StatusCode);

        var close = await client.ReadFrameAsync();
        Assert.Equal(1011, close?.CloseCode);
        Assert.Equal("Failed to connect to downstream server", close?.CloseReason);
        await daemon.WaitForLineAsync(l => l.Contains("Failed to connect to", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Target_is_connected_only_after_a_successful_handshake()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using (var refused = await RawWebSocketClient.ConnectAsync(daemon.Port, request: "GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
        {
            Assert.Equal(405, refused.StatusCode);
            Assert.True(await refused.WaitForEndAsync(TimeSpan.FromSeconds(10))); // the daemon is done with it
        }

        // A session after it: its echo means the target has accepted every connection made before its own
        // (the target's backlog is first in, first out), so this one must be the first and only.
        await using (var upgraded = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await upgraded.AssertEchoAsync("after the refusal");
        }

        Assert.Equal(1, target.Accepted);
    }

    [Fact]
    public async Task Two_hundred_concurrent_echo_sessions()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);

        var sessions = Enumerable.Range(0, 200).Select(async i =>
        {
            using var client = await ConnectAsync(daemon.Port);
            var buffer = new byte[4096];
            for (var round = 0; round < 5; round++)
            {
                var message = Encoding.ASCII.GetBytes($"session {i} round {round} " + new string('x', i));
                await client.SendAsync(message, WebSocketMessageType.Binary, true, default);
                var echoed = new MemoryStream();
                while (echoed.Length < message.Length)
                {
                    var result = await client.ReceiveAsync(buffer, default);
                    echoed.Write(buffer, 0, result.Count);
                }

                Assert.Equal(message, echoed.ToArray());
            }

            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", default);
        }).ToList();

        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(200, target.Accepted);
    }

    [Fact]
    public async Task Base64_subprotocol_carries_text_frames_both_ways()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, protocols: "base64");
        Assert.Contains("Sec-WebSocket-Protocol: base64\r\n", client.ResponseHead);

        byte[] data = [0, 1, 2, 0xFE, 0xFF, (byte)'R', (byte)'F', (byte)'B'];
        await client.SendAsync(RawFrame.Build(RawFrame.Text, Encoding.ASCII.GetBytes(Convert.ToBase64String(data))));

        var echoed = new List<byte>();
        while (echoed.Count < data.Length)
        {
            var frame = await client.ReadFrameAsync();
            Assert.Equal(RawFrame.Text, frame?.Opcode);
            echoed.AddRange(Convert.FromBase64String(Encoding.ASCII.GetString(frame!.Payload)));
        }

        Assert.Equal(data, echoed);
    }

    [Fact]
    public async Task Slow_target_pushes_back_instead_of_growing_the_daemon()
    {
        var release = new TaskCompletionSource();
        await using var target = TcpTarget.Start(async socket =>
        {
            await release.Task; // never reads until the test is over
        });
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        using var client = await ConnectAsync(daemon.Port);
        var rssBefore = daemon.ResidentBytes();

        var chunk = new byte[1 << 20];
        long sent = 0;
        using var window = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        try
        {
            while (sent < 512L << 20)
            {
                await client.SendAsync(chunk, WebSocketMessageType.Binary, true, window.Token);
                sent += chunk.Length;
            }
        }
        catch (OperationCanceledException)
        {
        }

        // Only the kernel's socket buffers (a few MiB each way) can be in flight: the daemon reads no
        // further than the target accepts, so the client is stalled and the daemon did not grow.
        Assert.True(sent < 64L << 20, $"client pushed {sent >> 20} MiB into a target that reads nothing");
        var growth = daemon.ResidentBytes() - rssBefore;
        Assert.True(growth < 16L << 20, $"daemon grew by {growth >> 20} MiB");
        release.SetResult();
    }

    [Fact]
    public async Task Dual_stack_default_listener_serves_ipv4_and_ipv6()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["0", target.Address]);
        Assert.Contains(daemon.Lines, l => l.Contains("Listen on [::]:", StringComparison.Ordinal));
        foreach (var host in new[] { "127.0.0.1", "[::1]" })
        {
            using var client = new ClientWebSocket();
            await client.ConnectAsync(new Uri($"ws://{host}:{daemon.Port}/"), default);
            await client.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Binary, true, default);
            var buffer = new byte[16];
            var result = await client.ReceiveAsync(buffer, default);
            Assert.Equal("ping", Encoding.ASCII.GetString(buffer, 0, result.Count));
        }
    }

    [Fact]
    public async Task An_ipv4_mapped_listen_address_serves_its_ipv4_address()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        await using var daemon = await DaemonProcess.StartAsync([$"[::ffff:127.0.0.1]:{port}", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        await client.AssertEchoAsync("mapped");
    }
}
