using System.Text;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

/// <summary>RFC 6455 framing rules as the daemon enforces them, frame by frame.</summary>
public sealed class FramingTests
{
    public static TheoryData<string, byte[], int> ProtocolViolations => new()
    {
        { "unmasked frame", RawFrame.Build(RawFrame.Binary, [1, 2, 3], mask: false), 1002 },
        { "RSV1 without an extension", RawFrame.Build(RawFrame.Binary, [1], rsv: 4), 1002 },
        { "RSV3", RawFrame.Build(RawFrame.Binary, [1], rsv: 1), 1002 },
        { "reserved data opcode 3", RawFrame.Build(3, [1]), 1002 },
        { "reserved control opcode 0xB", RawFrame.Build(0xB, [1]), 1002 },
        { "ping over 125 bytes", RawFrame.Build(RawFrame.Ping, new byte[126]), 1002 },
        { "fragmented ping", RawFrame.Build(RawFrame.Ping, [1], fin: false), 1002 },
        { "continuation with nothing started", RawFrame.Build(RawFrame.Continuation, [1]), 1002 },
        { "new message inside a fragmented one", [.. RawFrame.Build(RawFrame.Binary, [1], fin: false), .. RawFrame.Build(RawFrame.Binary, [2])], 1002 },
        { "close with a one-byte payload", RawFrame.Build(RawFrame.Close, [3]), 1002 },
        { "close with reserved code 1005", RawFrame.CloseFrame(1005), 1002 },
        { "close with code 999", RawFrame.CloseFrame(999), 1002 },
        { "close reason not UTF-8", RawFrame.Build(RawFrame.Close, [0x03, 0xE8, 0xFF, 0xFE]), 1007 },
        { "64-bit length with the top bit set", RawFrame.Build(RawFrame.Binary, [], declaredLength: 0x8000_0000_0000_0000), 1002 },
    };

    [Theory]
    [MemberData(nameof(ProtocolViolations))]
    public async Task Violations_end_the_session_with_the_right_code(string name, byte[] frames, int expectedCode)
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync(frames);

        var buffer = new byte[1024];
        var read = FrameRead.Nothing;
        for (var i = 0; i < 4 && !read.Ended; i++)
        {
            read = await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.True(read.Kind == MessageKind.ProtocolError, $"{name}: expected a violation, got {read}");
        Assert.True(expectedCode == read.ErrorCode, $"{name}: expected {expectedCode}, got {read.ErrorCode} ({read.Error})");
        Assert.True(read.EndOfMessage);

        // The reader stays ended: a later call reports the same violation, without reading on.
        Assert.Equal(read, await pair.Channel.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_connection_that_ends_without_a_close_frame_is_reported_as_end_of_stream()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync(RawFrame.Build(RawFrame.Binary, "ab"u8, fin: false)[..4]); // half a frame, then FIN
        pair.Raw.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);

        var read = await pair.Channel.ReceiveAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        if (read.Kind == MessageKind.None)
        {
            read = await pair.Channel.ReceiveAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }

        Assert.Equal(MessageKind.EndOfStream, read.Kind);
        Assert.True(read.Ended);
    }

    [Fact]
    public async Task Text_frames_are_refused_in_binary_mode_with_1003()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync(RawFrame.Build(RawFrame.Text, "hi"u8));
        var read = await pair.Channel.ReceiveAsync(new byte[16]);
        Assert.Equal(MessageKind.ProtocolError, read.Kind);
        Assert.Equal(1003, read.ErrorCode);
    }

    [Fact]
    public async Task Ping_is_answered_with_the_same_payload_even_inside_a_fragmented_message()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync([
            .. RawFrame.Build(RawFrame.Binary, "ab"u8, fin: false),
            .. RawFrame.Build(RawFrame.Ping, "are you there"u8),
            .. RawFrame.Build(RawFrame.Continuation, [], fin: false),
            .. RawFrame.Build(RawFrame.Continuation, "cd"u8),
        ]);

        var received = await ReadMessageAsync(pair.Channel);
        Assert.Equal("abcd", received);

        var pong = await pair.ReadFrameAsync();
        Assert.Equal(RawFrame.Pong, pong.Opcode);
        Assert.Equal("are you there", Encoding.ASCII.GetString(pong.Payload));
    }

    [Fact]
    public async Task Empty_messages_and_empty_fragments_carry_no_bytes()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync([.. RawFrame.Build(RawFrame.Binary, []), .. RawFrame.Build(RawFrame.Binary, "x"u8)]);

        var first = await pair.Channel.ReceiveAsync(new byte[16]);
        Assert.Equal(new FrameRead(0, true, MessageKind.Binary), first);
        Assert.Equal("x", await ReadMessageAsync(pair.Channel));
    }

    [Fact]
    public async Task A_close_frame_is_reported_with_its_code_and_reason()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        await pair.SendRawAsync(RawFrame.CloseFrame(4000, "bye"));
        var read = await pair.Channel.ReceiveAsync(new byte[16]);
        Assert.Equal(MessageKind.Close, read.Kind);
        Assert.Equal(4000, pair.Channel.Reader.CloseCode);
        Assert.Equal("bye", pair.Channel.Reader.CloseReason);
    }

    [Fact]
    public async Task Base64_mode_decodes_text_split_at_any_point()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Base64);
        var data = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        var encoded = Encoding.ASCII.GetBytes(Convert.ToBase64String(data));
        await pair.SendRawAsync([
            .. RawFrame.Build(RawFrame.Text, encoded.AsSpan(0, 7), fin: false),
            .. RawFrame.Build(RawFrame.Continuation, encoded.AsSpan(7, 500), fin: false),
            .. RawFrame.Build(RawFrame.Continuation, encoded.AsSpan(507)),
        ]);

        var output = new List<byte>();
        var buffer = new byte[97]; // deliberately not a multiple of 3
        while (true)
        {
            var read = await pair.Channel.ReceiveAsync(buffer);
            output.AddRange(buffer.AsSpan(0, read.Count).ToArray());
            if (read.EndOfMessage)
            {
                break;
            }
        }

        Assert.Equal(data, output.ToArray());
    }

    [Fact]
    public async Task Base64_mode_refuses_invalid_text_with_1007()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Base64);
        await pair.SendRawAsync(RawFrame.Build(RawFrame.Text, "@@@@"u8));
        var read = await pair.Channel.ReceiveAsync(new byte[16]);
        Assert.Equal(MessageKind.ProtocolError, read.Kind);
        Assert.Equal(1007, read.ErrorCode);
    }

    [Fact]
    public async Task Base64_mode_sends_text_frames()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Base64);
        Assert.True(await pair.Channel.TrySendAsync([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 255], FrameWriter.MaxHeaderLength, 4));
        var frame = await pair.ReadFrameAsync();
        Assert.Equal(RawFrame.Text, frame.Opcode);
        Assert.False(frame.Masked);
        Assert.Equal("AAEC/w==", Encoding.ASCII.GetString(frame.Payload));
    }

    [Fact]
    public async Task After_the_close_frame_nothing_more_is_sent_and_TrySend_says_so()
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Binary);
        Assert.True(await pair.Channel.Writer.SendCloseAsync(1000, "done"));
        Assert.False(await pair.Channel.TrySendAsync(new byte[FrameWriter.MaxHeaderLength + 3], FrameWriter.MaxHeaderLength, 3));
        Assert.False(await pair.Channel.Writer.SendCloseAsync(1001, "again"));

        var close = await pair.ReadFrameAsync();
        Assert.Equal(RawFrame.Close, close.Opcode);
        pair.ShutdownServerSend();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        Assert.Null(await RawFrame.ReadAsync(pair.Raw, timeout.Token)); // nothing followed the close frame
    }

    private static async Task<string> ReadMessageAsync(ClientChannel channel)
    {
        var text = new StringBuilder();
        var buffer = new byte[64];
        while (true)
        {
            var read = await channel.ReceiveAsync(buffer);
            text.Append(Encoding.ASCII.GetString(buffer, 0, read.Count));
            if (read.EndOfMessage && text.Length > 0)
            {
                return text.ToString();
            }
        }
    }
}
