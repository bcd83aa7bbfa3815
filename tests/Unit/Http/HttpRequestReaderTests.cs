using System.IO.Pipelines;
using System.Text;
using Websockify.Http;

namespace Websockify.Tests.Unit.Http;

public sealed class HttpRequestReaderTests
{
    [Fact]
    public async Task Keeps_bytes_sent_after_the_head()
    {
        var stream = new MemoryStream(Encoding.Latin1.GetBytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n\x82\x00"));
        var received = await HttpRequestReader.ReadAsync(stream, CancellationToken.None);
        Assert.NotNull(received);
        Assert.Equal("h", received.Request.Get("Host"));
        Assert.Equal(new byte[] { 0x82, 0x00 }, received.Leftover);
    }

    [Fact]
    public async Task Finds_the_end_of_the_head_across_reads()
    {
        var pipe = new Pipe();
        var reading = HttpRequestReader.ReadAsync(pipe.Reader.AsStream(), CancellationToken.None);
        foreach (var piece in new[] { "GET / HTTP/1.1\r\nHost: h\r", "\n\r", "\n" })
        {
            await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(piece));
            await Task.Delay(10);
        }

        var received = await reading;
        Assert.NotNull(received);
        Assert.Empty(received.Leftover);
    }

    [Fact]
    public async Task End_of_stream_before_the_head_is_null()
    {
        var stream = new MemoryStream(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\n"));
        Assert.Null(await HttpRequestReader.ReadAsync(stream, CancellationToken.None));
    }

    [Fact]
    public async Task An_oversized_head_is_431_without_reading_it_all()
    {
        var huge = "GET / HTTP/1.1\r\nX-Big: " + new string('a', 10 * Limits.MaxHeaderBytes) + "\r\n\r\n";
        var stream = new MemoryStream(Encoding.ASCII.GetBytes(huge));
        var error = await Assert.ThrowsAsync<HttpRequestRejectedException>(() => HttpRequestReader.ReadAsync(stream, CancellationToken.None));
        Assert.Equal(431, error.StatusCode);
        Assert.True(stream.Position <= Limits.MaxHeaderBytes);
    }
}
