using System.Globalization;
using System.Text;
using Websockify.Http;

namespace Websockify.Web;

/// <summary>
/// A response head of the web server: status line, Server and Date, the caller's fields, and
/// <c>Connection: close</c> when the connection ends after this answer. Field values come from the
/// server (file facts, encoded paths), never from the request.
/// </summary>
internal sealed class ResponseHead
{
    private readonly StringBuilder _text = new();

    public ResponseHead(int status, DateTimeOffset now)
    {
        Status = status;
        _text.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {HttpResponseWriter.ReasonPhrase(status)}\r\n");
        Add("Server", HttpResponseWriter.ServerName);
        Add("Date", HttpDate.Format(now));
    }

    public int Status { get; }

    public ResponseHead Add(string name, string value)
    {
        _text.Append(name).Append(": ").Append(value).Append("\r\n");
        return this;
    }

    public ResponseHead ContentLength(long length) => Add("Content-Length", length.ToString(CultureInfo.InvariantCulture));

    public byte[] ToBytes(bool keepAlive)
    {
        var text = new StringBuilder(_text.ToString());
        if (!keepAlive)
        {
            text.Append("Connection: close\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>A short fixed page for an error status (never anything taken from the request), without a body for HEAD.</summary>
    public static async Task WriteErrorAsync(
        Stream stream, int status, bool headOnly, bool keepAlive, DateTimeOffset now, IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken)
    {
        var body = Encoding.ASCII.GetBytes($"{status} {HttpResponseWriter.ReasonPhrase(status)}\n");
        var head = new ResponseHead(status, now);
        foreach (var (name, value) in fields)
        {
            head.Add(name, value);
        }

        head.Add("Content-Type", "text/plain; charset=utf-8").Add("X-Content-Type-Options", "nosniff").ContentLength(body.Length);
        byte[] bytes = headOnly ? head.ToBytes(keepAlive) : [.. head.ToBytes(keepAlive), .. body];
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task WriteAsync(Stream stream, bool keepAlive, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        byte[] bytes = [.. ToBytes(keepAlive), .. body.Span];
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
