using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Websockify.Legacy;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.Legacy;

/// <summary>Hixie-75/76 framing through a real loopback connection: base64 text frames, the 76 close, and what is refused.</summary>
public sealed class HixieClientChannelTests : IDisposable
{
    private readonly Socket _server;
    private readonly NetworkStream _raw;

    public HixieClientChannelTests()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.Connect(listener.LocalEndPoint!);
        _server = listener.Accept();
        _raw = new NetworkStream(client, ownsSocket: true);
    }

    private HixieClientChannel Channel(HixieDraft draft) => new(new NetworkStream(_server, ownsSocket: false), draft, _server);

    private static byte[] Frame(byte[] payload) => [0x00, .. Encoding.ASCII.GetBytes(Convert.ToBase64String(payload)), 0xFF];

    private static async Task<FrameRead> NextAsync(ClientChannel channel, byte[] buffer) =>
        await channel.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

    /// <summary>Reads messages until one ends, gathering the bytes (a frame may arrive in pieces).</summary>
    private static async Task<byte[]> ReadMessageAsync(ClientChannel channel)
    {
        var gathered = new MemoryStream();
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < 100; i++)
        {
            var read = await NextAsync(channel, buffer);
            Assert.False(read.Ended, $"ended: {read}");
            gathered.Write(buffer, 0, read.Count);
            if (read.EndOfMessage)
            {
                return gathered.ToArray();
            }
        }

        throw new InvalidOperationException("no end of message after 100 reads");
    }

    [Fact]
    public async Task A_frame_split_inside_a_base64_quantum_decodes_to_the_bytes_sent()
    {
        var channel = Channel(HixieDraft.Hixie76);
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var frame = Frame(payload);
        var reading = ReadMessageAsync(channel);
        foreach (var piece in frame.Chunk(7)) // 7: never a multiple of 4, so quanta are cut every time
        {
            await _raw.WriteAsync(piece);
            await Task.Delay(5);
        }

        Assert.Equal(payload, await reading);
        channel.Release();
    }

    [Fact]
    public async Task Coalesced_frames_are_separate_messages_and_an_empty_frame_is_an_empty_message()
    {
        var channel = Channel(HixieDraft.Hixie75);
        await _raw.WriteAsync((byte[])[.. Frame("one"u8.ToArray()), .. Frame([]), .. Frame("three"u8.ToArray())]);

        Assert.Equal("one"u8.ToArray(), await ReadMessageAsync(channel));
        Assert.Empty(await ReadMessageAsync(channel));
        Assert.Equal("three"u8.ToArray(), await ReadMessageAsync(channel));
        channel.Release();
    }

    [Fact]
    public async Task Hixie76_close_frame_ends_the_session_as_a_close()
    {
        var channel = Channel(HixieDraft.Hixie76);
        await _raw.WriteAsync(new byte[] { 0xFF, 0x00 });

        var read = await NextAsync(channel, new byte[64]);

        Assert.Equal(MessageKind.Close, read.Kind);
        Assert.Null(channel.CloseCode);
    }

    [Theory]
    [InlineData("Hixie75", new byte[] { 0xFF, 0x00 }, 1002)] // 75 has no closing frame
    [InlineData("Hixie76", new byte[] { 0x80, 0x03, 1, 2, 3 }, 1002)] // a length-prefixed frame: browsers never sent one
    [InlineData("Hixie76", new byte[] { 0xFF, 0x01 }, 1002)]
    [InlineData("Hixie76", new byte[] { 0x00, (byte)'a', (byte)'!', (byte)'=', (byte)'=', 0xFF }, 1007)]
    [InlineData("Hixie76", new byte[] { 0x00, (byte)'Y', (byte)'Q', 0xFF }, 1007)] // unpadded: an incomplete quantum at the end
    public async Task Anything_but_text_frames_of_base64_is_a_violation(string draft, byte[] bytes, int code)
    {
        var channel = Channel(Enum.Parse<HixieDraft>(draft));
        await _raw.WriteAsync(bytes);

        var read = await NextAsync(channel, new byte[64]);
        if (read.Kind == MessageKind.None)
        {
            read = await NextAsync(channel, new byte[64]);
        }

        Assert.Equal(MessageKind.ProtocolError, read.Kind);
        Assert.Equal(code, read.ErrorCode);
        Assert.Equal(read, await NextAsync(channel, new byte[64])); // stays ended
    }

    [Fact]
    public async Task A_connection_that_ends_inside_a_frame_is_end_of_stream()
    {
        var channel = Channel(HixieDraft.Hixie76);
        await _raw.WriteAsync(new byte[] { 0x00, (byte)'Y', (byte)'W' });
        _raw.Socket.Shutdown(SocketShutdown.Send);

        var read = await NextAsync(channel, new byte[64]);
        if (!read.Ended)
        {
            read = await NextAsync(channel, new byte[64]);
        }

        Assert.Equal(MessageKind.EndOfStream, read.Kind);
        Assert.Contains("inside a frame", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sent_bytes_go_out_as_one_base64_text_frame()
    {
        var channel = Channel(HixieDraft.Hixie76);
        var payload = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        var buffer = new byte[FrameWriter.MaxHeaderLength + payload.Length];
        payload.CopyTo(buffer, FrameWriter.MaxHeaderLength);

        Assert.True(await channel.TrySendAsync(buffer, FrameWriter.MaxHeaderLength, payload.Length));

        var expected = Frame(payload);
        var received = new byte[expected.Length];
        await _raw.ReadExactlyAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, received);
    }

    [Theory]
    [InlineData("Hixie76", new byte[] { 0xFF, 0x00 })]
    [InlineData("Hixie75", new byte[0])]
    public async Task Our_close_is_the_drafts_and_nothing_is_sent_after_it(string draft, byte[] expected)
    {
        var channel = Channel(Enum.Parse<HixieDraft>(draft));
        Assert.False(channel.CanPing);
        Assert.False(await channel.TrySendPingAsync());

        await channel.TrySendCloseAsync(1000, "Target closed", TimeSpan.FromSeconds(5), new FakeTimeProvider());
        Assert.True(channel.CloseSent);
        Assert.False(await channel.TrySendAsync(new byte[FrameWriter.MaxHeaderLength + 1], FrameWriter.MaxHeaderLength, 1));
        if (draft == "Hixie76")
        {
            _server.Shutdown(SocketShutdown.Send); // 75's close is this FIN already
        }

        var received = new MemoryStream();
        await _raw.CopyToAsync(received).WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(expected, received.ToArray());
    }

    public void Dispose()
    {
        _server.Dispose();
        _raw.Dispose();
    }
}
