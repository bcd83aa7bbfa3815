using System.Text;
using Websockify.Http;

namespace Websockify.Tests.Unit.Http;

/// <summary>
/// The request-head reader against reads split exactly where a test says (<see cref="ScriptedReadStream"/>):
/// the CRLF CRLF search must work across reads, and the reader must not ask for more once the head is in
/// (a client waiting for the 101 before it sends anything else would hang it).
/// </summary>
public sealed class HttpRequestReaderTests
{
    private static readonly byte[] Head = Encoding.ASCII.GetBytes(
        "GET /websockify HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n");

    private static readonly byte[] Tail = [0x82, 0x02, (byte)'h', (byte)'i']; // an eager client's first frame

    private static void AssertParsed(ReceivedRequest? received)
    {
        Assert.NotNull(received);
        Assert.Equal("/websockify", received.Request.Target);
        Assert.Equal("h", received.Request.Get("Host"));
        Assert.Equal("websocket", received.Request.Get("Upgrade"));
    }

    [Fact]
    public async Task Keeps_bytes_sent_after_the_head()
    {
        var stream = new MemoryStream([.. Head, .. Tail]);
        var received = await HttpRequestReader.ReadAsync(stream, CancellationToken.None);
        AssertParsed(received);
        Assert.Equal(Tail, received!.Leftover);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(4096)]
    public async Task Finds_the_end_of_the_head_whatever_the_read_size(int readSize)
    {
        var stream = new ScriptedReadStream([.. Head, .. Tail], readSize);

        var received = await HttpRequestReader.ReadAsync(stream, CancellationToken.None);

        AssertParsed(received);
        var reads = (Head.Length + readSize - 1) / readSize;
        Assert.Equal(reads, stream.Reads); // not one read more than the head needed
        var leftover = Math.Min(reads * readSize, Head.Length + Tail.Length) - Head.Length;
        Assert.Equal(Tail[..leftover], received!.Leftover); // what came with the head's last read
        Assert.Equal(Tail[leftover..], stream.Unread);
    }

    [Theory]
    [InlineData(0)] // "...websocket" | "\r\n\r\n": the whole terminator in the second read
    [InlineData(1)] // "\r" | "\n\r\n"
    [InlineData(2)] // "\r\n" | "\r\n"
    [InlineData(3)] // "\r\n\r" | "\n"
    [InlineData(4)] // the head ends exactly at the end of the first read
    public async Task Finds_a_terminator_split_at_each_position(int terminatorBytesInFirstRead)
    {
        var first = Head.Length - 4 + terminatorBytesInFirstRead;
        var stream = new ScriptedReadStream([.. Head, .. Tail], first, int.MaxValue);

        var received = await HttpRequestReader.ReadAsync(stream, CancellationToken.None);

        AssertParsed(received);
        var complete = terminatorBytesInFirstRead == 4;
        Assert.Equal(complete ? 1 : 2, stream.Reads);
        Assert.Equal(complete ? [] : Tail, received!.Leftover);
        Assert.Equal(complete ? Tail : [], stream.Unread);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task End_of_stream_before_the_head_is_null(int readSize)
    {
        var partial = Head[..^2]; // one CRLF short
        var stream = new ScriptedReadStream(partial, readSize);

        Assert.Null(await HttpRequestReader.ReadAsync(stream, CancellationToken.None));
        Assert.Equal((partial.Length + readSize - 1) / readSize + 1, stream.Reads); // ...and the read that saw the end
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public async Task An_oversized_head_is_431_without_reading_it_all(int readSize)
    {
        var huge = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nX-Big: " + new string('a', 10 * Limits.MaxHeaderBytes) + "\r\n\r\n");
        var stream = new ScriptedReadStream(huge, readSize);

        var error = await Assert.ThrowsAsync<HttpRequestRejectedException>(() => HttpRequestReader.ReadAsync(stream, CancellationToken.None).AsTask());

        Assert.Equal(431, error.StatusCode);
        Assert.True(huge.Length - stream.Unread.Length <= Limits.MaxHeaderBytes);
    }
}
