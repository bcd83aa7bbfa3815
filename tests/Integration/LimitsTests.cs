using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// The daemon's own limits through the real binary: connections at once (in all and per address), the
/// send timeout for a client that stops reading, and the respawn cap. Past each limit the documented
/// answer, and the sessions already open go on.
/// </summary>
public sealed class LimitsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static async Task EchoAsync(RawWebSocketClient client, string text) => await client.AssertEchoAsync(text);

    [Fact]
    public async Task Past_max_connections_a_new_connection_is_closed_at_once_and_open_sessions_go_on()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--max-connections", "3", "127.0.0.1:0", target.Address]);
        var open = new List<RawWebSocketClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                open.Add(await RawWebSocketClient.ConnectAsync(daemon.Port));
                await EchoAsync(open[i], $"session {i}");
            }

            Assert.True(await Unanswered.ClosedAsync(daemon.Port), "a fourth connection was served");
            await daemon.WaitForLineAsync(l => l.Contains("refused 1 connection(s) (the last from 127.0.0.1:", StringComparison.Ordinal)
                && l.Contains("1 at --max-connections 3", StringComparison.Ordinal), Bound);
            for (var i = 0; i < 3; i++)
            {
                await EchoAsync(open[i], $"still {i}");
            }

            // One ends: a place is free again (once its end is seen; bounded retries).
            await open[0].SendAsync(RawFrame.CloseFrame(1000));
            await open[0].ReadUntilCloseAsync();
            await open[0].DisposeAsync();
            open.RemoveAt(0);
            await daemon.WaitForLineAsync(l => l.Contains("session ended: ClientClosed", StringComparison.Ordinal), Bound);
            RawWebSocketClient? again = null;
            for (var attempt = 0; attempt < 50 && again is null; attempt++)
            {
                var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
                if (client.StatusCode == 101)
                {
                    again = client;
                }
                else
                {
                    await client.DisposeAsync();
                    await Task.Delay(100);
                }
            }

            Assert.NotNull(again);
            open.Add(again);
            await EchoAsync(again, "admitted again");
        }
        finally
        {
            foreach (var client in open)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_flood_of_refused_connections_is_logged_once_a_second_with_its_count()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--max-connections", "1", "127.0.0.1:0", target.Address]);
        await using var held = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await EchoAsync(held, "the one allowed");

        for (var i = 0; i < 30; i++)
        {
            Assert.True(await Unanswered.ClosedAsync(daemon.Port), $"refused connection {i} was served");
        }

        await Task.Delay(TimeSpan.FromSeconds(1.2));
        Assert.True(await Unanswered.ClosedAsync(daemon.Port));

        // Every refusal is counted in some line, and there are few lines: 31 refusals in about 2 s.
        static int Count(string line) => int.Parse(line[(line.IndexOf("refused ", StringComparison.Ordinal) + 8)..].Split(' ')[0]);
        List<string> refusalLines = [];
        for (var poll = 0; poll < 100; poll++)
        {
            refusalLines = daemon.Lines.Where(l => l.Contains("connection(s) (the last from", StringComparison.Ordinal)).ToList();
            if (refusalLines.Sum(Count) >= 31)
            {
                break;
            }

            await Task.Delay(50);
        }

        Assert.Equal(31, refusalLines.Sum(Count));
        Assert.True(refusalLines.Count <= 3, string.Join('\n', refusalLines));
        Assert.All(refusalLines, l => Assert.Contains("at --max-connections 1", l, StringComparison.Ordinal));
        await EchoAsync(held, "undisturbed");
    }

    [Fact]
    public async Task Max_connections_per_ip_counts_each_client_address_on_its_own()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--max-connections-per-ip", "2", "127.0.0.1:0", target.Address]);
        var endpoint = new IPEndPoint(IPAddress.Loopback, daemon.Port);
        var first = IPAddress.Parse("127.0.0.2");
        var second = IPAddress.Parse("127.0.0.3");
        await using var a1 = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port), local: new IPEndPoint(first, 0));
        await using var a2 = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port), local: new IPEndPoint(first, 0));
        await EchoAsync(a1, "a1");
        await EchoAsync(a2, "a2");

        Assert.True(await Unanswered.ClosedAsync(daemon.Port, first), "a third connection from 127.0.0.2 was served");
        await using var b1 = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port), local: new IPEndPoint(second, 0));
        await EchoAsync(b1, "another address gets in");
        await daemon.WaitForLineAsync(l => l.Contains("(the last from 127.0.0.2:", StringComparison.Ordinal)
            && l.Contains("1 at --max-connections-per-ip 2", StringComparison.Ordinal), Bound);
        await EchoAsync(a1, "a1 still");
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_dropped_after_the_send_timeout_and_its_target_released()
    {
        var targetClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var floodStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var target = TcpTarget.Start(async socket =>
        {
            if (floodStarted.Task.IsCompleted)
            {
                var buffer = new byte[4096]; // the second session: an echo
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read));
                }

                return;
            }

            floodStarted.TrySetResult();
            var chunk = new byte[64 * 1024];
            try
            {
                using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                while (true)
                {
                    await socket.SendAsync(chunk, limit.Token); // blocks once every buffer on the way is full
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                targetClosed.TrySetResult(); // the daemon dropped our connection (or the 30 s bound ran out)
            }
        });
        await using var daemon = await DaemonProcess.StartAsync(["--send-timeout", "2", "127.0.0.1:0", target.Address]);

        using var stalled = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync(IPAddress.Loopback, daemon.Port);
        await stalled.SendAsync(Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(daemon.Port)));
        await floodStarted.Task.WaitAsync(Bound); // and from here on this client reads nothing

        await using (var other = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await EchoAsync(other, "the other session is not held up");
        }

        var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: SendTimeout", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains("the client read nothing of a write for 2 s", ended, StringComparison.Ordinal);
        await targetClosed.Task.WaitAsync(Bound);
        Assert.False(daemon.HasExited);
    }

    [Fact]
    public async Task Respawn_mode_gives_up_and_exits_1_past_max_respawns()
    {
        var port = TcpTarget.UnusedPort();
        var server = await TestPrograms.BindServerAsync();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--wrap-mode=respawn", "--max-respawns", "2", $"127.0.0.1:{port}", "--", server, port.ToString(), "4", "--exit-after", "1", "0"]);

        for (var run = 0; run < 3; run++)
        {
            await using (var client = await RawWebSocketClient.ConnectAsync(port))
            {
                var greeting = await client.ReadFrameAsync(TimeSpan.FromSeconds(15));
                Assert.StartsWith("hello", Encoding.ASCII.GetString(greeting!.Payload));
            }

            if (run < 2)
            {
                // The run ends with its session; connecting before the daemon has seen that would dial a port nobody holds.
                await daemon.WaitForLinesAsync(l => l.Contains("Respawning", StringComparison.Ordinal), run + 1, TimeSpan.FromSeconds(10));
            }
        }

        Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains(daemon.Lines, l => l.Contains("needed more than 2 restarts within a minute (--max-respawns): giving up", StringComparison.Ordinal));
        Assert.Equal(2, daemon.Lines.Count(l => l.Contains("Respawning", StringComparison.Ordinal)));
    }
}
