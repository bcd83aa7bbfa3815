using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>Every framing violation ends only its own session, with the right close code, and the daemon keeps serving.</summary>
public sealed class FramingThroughDaemonTests : EchoDaemonTest
{
    public static TheoryData<string, byte[], int> Violations => new()
    {
        { "unmasked frame", RawFrame.Build(RawFrame.Binary, new byte[100], mask: false), 1002 },
        { "RSV1 without an extension", RawFrame.Build(RawFrame.Binary, [1], rsv: 4), 1002 },
        { "reserved opcode 3", RawFrame.Build(3, [1]), 1002 },
        { "reserved control opcode 0xC", RawFrame.Build(0xC, []), 1002 },
        { "ping over 125 bytes", RawFrame.Build(RawFrame.Ping, new byte[200]), 1002 },
        { "fragmented close", RawFrame.Build(RawFrame.Close, [0x03, 0xE8], fin: false), 1002 },
        { "continuation first", RawFrame.Build(RawFrame.Continuation, [1]), 1002 },
        { "new message mid-fragment", [.. RawFrame.Build(RawFrame.Binary, [1], fin: false), .. RawFrame.Build(RawFrame.Binary, [2])], 1002 },
        { "close code 1006", RawFrame.CloseFrame(1006), 1002 },
        { "close code 5000", RawFrame.CloseFrame(5000), 1002 },
        { "one-byte close", RawFrame.Build(RawFrame.Close, [1]), 1002 },
        { "close reason not UTF-8", RawFrame.Build(RawFrame.Close, [0x03, 0xE8, 0xC3, 0x28]), 1007 },
        { "63-bit length overflow", RawFrame.Build(RawFrame.Binary, [], declaredLength: ulong.MaxValue), 1002 },
        { "text frame in binary mode", RawFrame.Build(RawFrame.Text, "hello"u8), 1003 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Violation_closes_with_the_right_code_and_others_keep_working(string name, byte[] frames, int code)
    {
        await using var healthy = await RawWebSocketClient.ConnectAsync(Daemon.Port, protocols: "binary");
        await using (var offender = await RawWebSocketClient.ConnectAsync(Daemon.Port, protocols: "binary"))
        {
            Assert.Equal(101, offender.StatusCode);
            await offender.SendAsync(frames);
            var (close, _) = await offender.ReadUntilCloseAsync();
            Assert.True(close?.CloseCode == code, $"{name}: expected close {code}, got {close?.CloseCode} '{close?.CloseReason}'");
            Assert.True(await offender.WaitForEndAsync(TimeSpan.FromSeconds(5)), $"{name}: connection not dropped");
        }

        // A session opened before the violation and one opened after both still echo.
        await using var fresh = await RawWebSocketClient.ConnectAsync(Daemon.Port, protocols: "binary");
        foreach (var client in new[] { healthy, fresh })
        {
            await client.SendAsync(RawFrame.Build(RawFrame.Binary, "still here"u8));
            var echo = await client.ReadFrameAsync();
            Assert.Equal("still here", System.Text.Encoding.ASCII.GetString(echo!.Payload));
        }
    }

    [Fact]
    public async Task Ping_gets_a_pong_with_the_same_payload_between_fragments()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(Daemon.Port);
        await client.SendAsync([
            .. RawFrame.Build(RawFrame.Binary, "frag1-"u8, fin: false),
            .. RawFrame.Build(RawFrame.Ping, "hb"u8),
            .. RawFrame.Build(RawFrame.Continuation, [], fin: false),
            .. RawFrame.Build(RawFrame.Continuation, "frag2"u8),
        ]);

        var frames = new List<WireFrame>();
        var echoed = "";
        while (echoed.Length < "frag1-frag2".Length || frames.All(f => f.Opcode != RawFrame.Pong))
        {
            var frame = (await client.ReadFrameAsync())!;
            frames.Add(frame);
            if (frame.Opcode == RawFrame.Binary)
            {
                echoed += System.Text.Encoding.ASCII.GetString(frame.Payload);
            }
        }

        Assert.Equal("frag1-frag2", echoed);
        Assert.Equal("hb", System.Text.Encoding.ASCII.GetString(frames.Single(f => f.Opcode == RawFrame.Pong).Payload));
    }

    [Fact]
    public async Task Client_frame_sent_together_with_the_request_is_not_lost()
    {
        var request = RawWebSocketClient.UpgradeRequest(Daemon.Port);
        var eager = System.Text.Encoding.ASCII.GetBytes(request).Concat(RawFrame.Build(RawFrame.Binary, "early"u8)).ToArray();
        await using var client = await RawWebSocketClient.ConnectAsync(Daemon.Port, request: System.Text.Encoding.Latin1.GetString(eager));
        Assert.Equal(101, client.StatusCode);
        var echo = await client.ReadFrameAsync();
        Assert.Equal("early", System.Text.Encoding.ASCII.GetString(echo!.Payload));
    }
}
