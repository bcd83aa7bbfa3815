using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Websockify.Net;

/// <summary>What came off the socket: the parse, and the bytes that arrived after the header (the client's first bytes).</summary>
internal readonly record struct ProxyHeaderRead(ProxyHeaderParse Parse, byte[] Rest, bool Closed);

/// <summary>
/// Reads one PROXY header off the start of a connection, bounded by <see cref="Limits.MaxProxyHeaderBytes"/>
/// (plus the v2 fixed part). A balancer usually sends the header and the client's first bytes in one
/// segment: those are handed back as <see cref="ProxyHeaderRead.Rest"/>, to be read before the socket.
/// </summary>
internal static class ProxyHeaderReader
{
    /// <summary>Room for the longest header we accept and a first segment behind it.</summary>
    private const int BufferBytes = Limits.MaxProxyHeaderBytes + 16;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ProxyHeaderRead> ReadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[BufferBytes];
        var count = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(count), SocketFlags.None, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return new ProxyHeaderRead(count == 0 ? ProxyHeaderParse.NeedMore : ProxyHeaderParse.Invalid("the connection closed inside the PROXY header"), [], count == 0);
            }

            count += read;
            var parse = ProxyHeaderParser.Parse(buffer.AsSpan(0, count));
            switch (parse.Status)
            {
                case ProxyHeaderStatus.Parsed:
                    return new ProxyHeaderRead(parse, buffer.AsSpan(parse.Length, count - parse.Length).ToArray(), false);
                case ProxyHeaderStatus.Invalid:
                    return new ProxyHeaderRead(parse, [], false);
                case ProxyHeaderStatus.NeedMore when count == buffer.Length:
                    // The parser bounds both versions below the buffer; this is a guard, not a path.
                    return new ProxyHeaderRead(ProxyHeaderParse.Invalid("PROXY header longer than the limit"), [], false);
            }
        }
    }

    /// <summary>
    /// Whether the first bytes waiting on the socket look like a PROXY header (read without taking them):
    /// an untrusted peer sending one is refused, not taken for a bad HTTP request. Six bytes decide it
    /// ("PROXY " or the v2 signature's start); fewer waiting is not a header as far as we can tell.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<bool> LooksLikeHeaderAsync(Socket socket, CancellationToken cancellationToken)
    {
        var peek = new byte[6];
        var read = await socket.ReceiveAsync(peek, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
        return read == peek.Length && ProxyHeaderParser.Parse(peek).Status != ProxyHeaderStatus.Invalid;
    }
}
