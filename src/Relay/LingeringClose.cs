using System.Buffers;
using System.Net.Sockets;

namespace Websockify.Relay;

/// <summary>
/// Closes a TCP connection so that what we sent last (a close frame, an error page) reaches the peer:
/// closing a socket with unread input sends RST, and a RST can destroy data still in flight. So: FIN
/// first, then read and discard until the peer closes too, bounded in time and bytes.
/// </summary>
internal static class LingeringClose
{
    public static async Task CloseAsync(Socket socket, TimeSpan linger, TimeProvider time)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = new CancellationTokenSource(linger, time);
            var discarded = 0;
            while (discarded < Limits.MaxLingerDiscardBytes)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                discarded += read;
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            socket.Dispose();
        }
    }
}
