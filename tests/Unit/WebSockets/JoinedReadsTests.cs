using System.Text;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

/// <summary>
/// Joined reads (no observer needs message boundaries): the frames one socket read brought go to the
/// target as one piece, each unmasked with its own key, and nothing that must be seen on its own
/// (a ping, text in binary mode, a violation) is swallowed into the piece.
/// </summary>
public sealed class JoinedReadsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Frames_and_messages_in_one_read_come_out_as_one_piece()
    {
        await using var pair = await JoinedPairAsync();
        await pair.SendRawAsync([
            .. RawFrame.Build(RawFrame.Binary, "one,"u8),
            .. RawFrame.Build(RawFrame.Binary, "two-"u8, fin: false),
            .. RawFrame.Build(RawFrame.Continuation, [], fin: false),
            .. RawFrame.Build(RawFrame.Continuation, "a,"u8),
            .. RawFrame.Build(RawFrame.Binary, []),
            .. RawFrame.Build(RawFrame.Binary, "three"u8),
        ]);

        var buffer = new byte[256];
        var read = await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound);

        Assert.Equal(new FrameRead(15, true, MessageKind.Binary), read);
        Assert.Equal("one,two-a,three", Encoding.ASCII.GetString(buffer, 0, read.Count));
    }

    [Fact]
    public async Task Without_joining_each_message_is_its_own_read()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync([.. RawFrame.Build(RawFrame.Binary, "one"u8), .. RawFrame.Build(RawFrame.Binary, "two"u8)]);

        var buffer = new byte[256];
        Assert.Equal(new FrameRead(3, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal("one", Encoding.ASCII.GetString(buffer, 0, 3));
        Assert.Equal(new FrameRead(3, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal("two", Encoding.ASCII.GetString(buffer, 0, 3));
    }

    [Fact]
    public async Task A_ping_ends_the_piece_and_is_answered_before_the_data_behind_it()
    {
        await using var pair = await JoinedPairAsync();
        await pair.SendRawAsync([
            .. RawFrame.Build(RawFrame.Binary, "ab"u8),
            .. RawFrame.Build(RawFrame.Ping, "p"u8),
            .. RawFrame.Build(RawFrame.Binary, "cd"u8),
        ]);

        var buffer = new byte[256];
        Assert.Equal(new FrameRead(2, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal("ab", Encoding.ASCII.GetString(buffer, 0, 2));
        Assert.Equal(new FrameRead(2, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal("cd", Encoding.ASCII.GetString(buffer, 0, 2));

        var pong = await pair.ReadFrameAsync();
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.Equal("p", Encoding.ASCII.GetString(pong.Payload));
    }

    [Fact]
    public async Task Text_behind_binary_is_not_joined_in_and_is_refused_with_1003()
    {
        await using var pair = await JoinedPairAsync();
        await pair.SendRawAsync([.. RawFrame.Build(RawFrame.Binary, "ok"u8), .. RawFrame.Build(RawFrame.Text, "no"u8)]);

        var buffer = new byte[256];
        Assert.Equal(new FrameRead(2, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        var refused = await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound);
        Assert.Equal(MessageKind.ProtocolError, refused.Kind);
        Assert.Equal(1003, refused.ErrorCode);
    }

    [Fact]
    public async Task Data_before_a_violation_is_delivered_then_the_violation_ends_the_session()
    {
        await using var pair = await JoinedPairAsync();
        await pair.SendRawAsync([.. RawFrame.Build(RawFrame.Binary, "good"u8), .. RawFrame.Build(RawFrame.Binary, [1], mask: false)]);

        var buffer = new byte[256];
        Assert.Equal(new FrameRead(4, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        var violation = await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound);
        Assert.Equal(MessageKind.ProtocolError, violation.Kind);
        Assert.Equal(1002, violation.ErrorCode);
    }

    [Fact]
    public async Task A_full_destination_ends_the_piece_and_the_rest_follows_unmasked_with_its_own_keys()
    {
        await using var pair = await JoinedPairAsync();
        var payload = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var frames = new List<byte>();
        for (var offset = 0; offset < payload.Length; offset += 37)
        {
            frames.AddRange(RawFrame.Build(RawFrame.Binary, payload.AsSpan(offset, Math.Min(37, payload.Length - offset))));
        }

        await pair.SendRawAsync([.. frames]);

        var received = new List<byte>();
        var buffer = new byte[100];
        while (received.Count < payload.Length)
        {
            var read = await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound);
            Assert.InRange(read.Count, 1, 100);
            received.AddRange(buffer.AsSpan(0, read.Count).ToArray());
        }

        Assert.Equal(payload, received.ToArray());
    }

    [Fact]
    public async Task Base64_messages_are_never_joined_each_decodes_with_its_own_padding()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Base64);
        pair.Channel.IgnoreMessageBoundaries();
        await pair.SendRawAsync([.. RawFrame.Build(RawFrame.Text, "YQ=="u8), .. RawFrame.Build(RawFrame.Text, "Yg=="u8)]);

        var buffer = new byte[256];
        Assert.Equal(new FrameRead(1, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal((byte)'a', buffer[0]);
        Assert.Equal(new FrameRead(1, true, MessageKind.Binary), await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(Bound));
        Assert.Equal((byte)'b', buffer[0]);
    }

    private static async Task<ChannelPair> JoinedPairAsync()
    {
        var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        pair.Channel.IgnoreMessageBoundaries();
        return pair;
    }
}
