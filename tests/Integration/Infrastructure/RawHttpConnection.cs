using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>One response as read off the wire: status, head text, fields (names lower-cased) and body.</summary>
internal sealed record RawHttpResponse(int Status, string Head, IReadOnlyDictionary<string, string> Fields, byte[] Body)
{
    public string? this[string name] => Fields.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>
/// A hand-written HTTP/1.1 client on one connection, so tests can send any target byte for byte (no
/// client-side normalisation) and see whether the server keeps the connection for the next request.
/// </summary>
internal sealed class RawHttpConnection : IAsyncDisposable
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(15);
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RawHttpConnection(Socket socket, Stream stream)
    {
        _socket = socket;
        _stream = stream;
    }

    public static Task<RawHttpConnection> OpenAsync(int port, bool tls = false) => OpenAsync(new IPEndPoint(IPAddress.Loopback, port), tls);

    public static async Task<RawHttpConnection> OpenAsync(EndPoint endpoint, bool tls = false)
    {
        var socket = endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endpoint);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true);
            await ssl.AuthenticateAsClientAsync("localhost");
            stream = ssl;
        }

        return new RawHttpConnection(socket, stream);
    }

    public static string Get(string target, string method = "GET", string version = "HTTP/1.1", string extra = "") =>
        $"{method} {target} {version}\r\nHost: localhost\r\n{extra}\r\n";

    public async Task SendAsync(string request) => await _stream.WriteAsync(Encoding.Latin1.GetBytes(request));

    /// <summary>Sends a request and reads its whole response.</summary>
    public async Task<RawHttpResponse> ExchangeAsync(string request)
    {
        await SendAsync(request);
        return await ReadResponseAsync(headRequest: request.StartsWith("HEAD ", StringComparison.Ordinal));
    }

    public async Task<RawHttpResponse> ReadResponseAsync(bool headRequest = false)
    {
        var response = await ReadHeadAsync();
        var length = response["content-length"] is { } value ? long.Parse(value) : 0;
        if (headRequest || response.Status is 304 or 204)
        {
            return response;
        }

        var body = new MemoryStream();
        await ReadBodyAsync(length, chunk => body.Write(chunk.Span));
        return response with { Body = body.ToArray() };
    }

    /// <summary>Reads the response head only; the body is left for <see cref="ReadBodyAsync"/>.</summary>
    public async Task<RawHttpResponse> ReadHeadAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        while (true)
        {
            var end = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var head = Encoding.Latin1.GetString(_buffer, _start, end + 4);
                _start += end + 4;
                return Parse(head);
            }

            if (!await FillAsync(cts.Token))
            {
                throw new IOException("connection closed before a complete response head");
            }
        }
    }

    /// <summary>Reads exactly <paramref name="length"/> body bytes, handing each chunk to <paramref name="onChunk"/>.</summary>
    public async Task ReadBodyAsync(long length, Action<ReadOnlyMemory<byte>> onChunk)
    {
        while (length > 0)
        {
            if (_start == _end)
            {
                using var cts = new CancellationTokenSource(ReadTimeout);
                if (!await FillAsync(cts.Token))
                {
                    throw new IOException($"connection closed with {length} body bytes missing");
                }
            }

            var take = (int)Math.Min(length, _end - _start);
            onChunk(_buffer.AsMemory(_start, take));
            _start += take;
            length -= take;
        }
    }

    /// <summary>True when the server ends the connection (EOF or reset) within the timeout, with no further bytes.</summary>
    public async Task<bool> WaitForEndAsync(TimeSpan timeout)
    {
        if (_start != _end)
        {
            return false;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return !await FillAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _socket.Dispose();
    }

    private async Task<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read > 0;
    }

    private static RawHttpResponse Parse(string head)
    {
        var lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var fields = new Dictionary<string, string>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var name = line[..colon].ToLowerInvariant();
            fields[name] = fields.TryGetValue(name, out var earlier) ? earlier + ", " + line[(colon + 1)..].Trim() : line[(colon + 1)..].Trim();
        }

        return new RawHttpResponse(int.Parse(lines[0].AsSpan(9, 3)), head, fields, []);
    }
}
