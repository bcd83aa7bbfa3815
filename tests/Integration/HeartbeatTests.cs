using System.Diagnostics;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary><c>--heartbeat</c> through the real binary: a raw client that never answers, and one that does.</summary>
public sealed class HeartbeatTests
{
    [Fact]
    public async Task A_client_that_never_answers_gets_pings_then_1001_and_its_target_is_released()
    {
        var targetEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var target = TcpTarget.Start(async socket =>
        {
            var buffer = new byte[64];
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }

            targetEnded.TrySetResult();
        });
        await using var daemon = await DaemonProcess.StartAsync(["--heartbeat", "1", "--heartbeat-timeout", "3", "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        var started = Stopwatch.StartNew();

        var pings = 0;
        WireFrame? frame;
        while ((frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(10))) is { Opcode: RawFrame.Ping })
        {
            Assert.Empty(frame.Payload);
            pings++;
        }

        Assert.Equal((RawFrame.Close, 1001, "No answer to heartbeat"), (frame?.Opcode, frame?.CloseCode, frame?.CloseReason));
        Assert.InRange(pings, 2, 3);
        Assert.InRange(started.Elapsed.TotalSeconds, 2.0, 8.0);
        await targetEnded.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the target got its FIN
        var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: HeartbeatTimeout", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains(daemon.Lines, l => l.Contains("no answer to the heartbeat for 3 s, closing", StringComparison.Ordinal));
        Assert.Contains("nothing from the client for 3 s", ended);
    }

    [Fact]
    public async Task A_client_that_answers_with_pongs_keeps_its_session_past_the_timeout()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--heartbeat", "1", "--heartbeat-timeout", "2", "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        var watch = Stopwatch.StartNew();
        var pings = 0;
        while (watch.Elapsed < TimeSpan.FromSeconds(5))
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(5));
            Assert.Equal(RawFrame.Ping, frame?.Opcode);
            pings++;
            await client.SendAsync(RawFrame.Build(RawFrame.Pong, frame!.Payload));
        }

        Assert.InRange(pings, 3, 7);
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, "alive after 5 s"u8));
        WireFrame? echo;
        while ((echo = await client.ReadFrameAsync()) is { Opcode: RawFrame.Ping })
        {
        }

        Assert.Equal("alive after 5 s"u8.ToArray(), echo?.Payload);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("no answer to the heartbeat", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("--heartbeat=abc", "option --heartbeat: invalid integer value: 'abc'")]
    [InlineData("--heartbeat=-1", "option --heartbeat: invalid integer value: '-1'")]
    [InlineData("--heartbeat-timeout=5", "You must use --heartbeat to use --heartbeat-timeout")]
    public async Task Bad_heartbeat_options_are_usage_errors(string option, string message)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync(option, "127.0.0.1:0", "127.0.0.1:9");
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public async Task Heartbeat_zero_is_off_as_upstream()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--heartbeat", "0", "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ReadFrameAsync(TimeSpan.FromSeconds(2.5))); // nothing comes
        await client.AssertEchoAsync("no pings");
    }
}
