using System.Runtime.CompilerServices;
using System.Buffers;

namespace Websockify.Http;

/// <summary>The request head and whatever the client sent after it (an eager client's first WebSocket frame).</summary>
internal sealed record ReceivedRequest(HttpRequest Request, byte[] Leftover);

/// <summary>Reads one request head from a stream, never holding more than <see cref="Limits.MaxHeaderBytes"/>.</summary>
internal static class HttpRequestReader
{
    /// <returns>Null when the client closed the connection before sending a complete head.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ReceivedRequest?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Limits.MaxHeaderBytes);
        try
        {
            var filled = 0;
            while (true)
            {
                var limit = Math.Min(buffer.Length, Limits.MaxHeaderBytes);
                if (filled == limit)
                {
                    throw new HttpRequestRejectedException(431, "Request header fields too large");
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled, limit - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return null;
                }

                var searchFrom = Math.Max(0, filled - 3);
                filled += read;
                var end = buffer.AsSpan(searchFrom, filled - searchFrom).IndexOf("\r\n\r\n"u8);
                if (end >= 0)
                {
                    end += searchFrom;
                    var request = HttpRequestParser.Parse(buffer.AsSpan(0, end));
                    return new ReceivedRequest(request, buffer.AsSpan(end + 4, filled - end - 4).ToArray());
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
