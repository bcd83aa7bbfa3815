using System.Globalization;
using System.Text;

namespace Websockify.Http;

/// <summary>Writes the few responses the daemon itself produces: errors and the 101.</summary>
internal static class HttpResponseWriter
{
    public const string ServerName = "websockify-unix";

    public static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        301 => "Moved Permanently",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        426 => "Upgrade Required",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Error",
    };

    /// <summary>A rejection with a short fixed text body; the connection is closed after it.</summary>
    public static Task WriteRejectionAsync(Stream stream, HttpRejection rejection, CancellationToken cancellationToken)
    {
        var status = rejection.Status;
        var body = Encoding.UTF8.GetBytes($"{status} {ReasonPhrase(status)}: {rejection.Reason}\n");
        return WriteClosingAsync(stream, status, rejection.Headers, "text/plain; charset=utf-8", body, withBody: true, cancellationToken);
    }

    /// <summary>
    /// A whole response after which the connection closes: status line, the common headers, then
    /// <paramref name="headers"/>, the type and length of <paramref name="body"/>; the body itself
    /// unless <paramref name="withBody"/> is false (HEAD).
    /// </summary>
    public static Task WriteClosingAsync(
        Stream stream, int status, IReadOnlyList<KeyValuePair<string, string>> headers, string contentType, byte[] body, bool withBody, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n");
        AppendCommonHeaders(head);
        foreach (var (name, value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n");
        head.Append("Connection: close\r\n\r\n");
        return WriteAsync(stream, withBody ? [.. Encoding.ASCII.GetBytes(head.ToString()), .. body] : Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
    }

    public static Task WriteSwitchingProtocolsAsync(Stream stream, string acceptKey, string? subprotocol, CancellationToken cancellationToken)
    {
        var head = new StringBuilder("HTTP/1.1 101 Switching Protocols\r\n");
        AppendCommonHeaders(head);
        head.Append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
        head.Append("Sec-WebSocket-Accept: ").Append(acceptKey).Append("\r\n");
        if (subprotocol is not null)
        {
            head.Append("Sec-WebSocket-Protocol: ").Append(subprotocol).Append("\r\n");
        }

        head.Append("\r\n");
        return WriteAsync(stream, Encoding.ASCII.GetBytes(head.ToString()), cancellationToken);
    }

    private static void AppendCommonHeaders(StringBuilder head)
    {
        head.Append("Server: ").Append(ServerName).Append("\r\n");
        head.Append("Date: ").Append(DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture)).Append("\r\n");
    }

    private static async Task WriteAsync(Stream stream, byte[] bytes, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
