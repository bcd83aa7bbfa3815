using System.Net.Security;
using System.Net.Sockets;

namespace Websockify.Targets;

/// <summary>
/// A target spoken to over TLS (<c>--ssl-target</c>). Reads and writes go through the <see cref="SslStream"/>,
/// which allows one of each at a time, as the relay does. A zero-byte read waits for the socket with no
/// buffer and returns once decrypted application data is there (post-handshake messages such as TLS 1.3
/// session tickets are consumed on the way), so idle sessions hold no buffer here either.
/// </summary>
internal sealed class TlsTargetConnection(Socket socket, SslStream stream) : ITargetConnection
{
    private readonly Lock _gate = new();
    private bool _writing;
    private bool _shutdownWanted;
    private bool _shutdownStarted;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => stream.ReadAsync(buffer);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        lock (_gate)
        {
            if (_shutdownWanted)
            {
                throw new IOException("the connection to the target is shut down for sending");
            }

            _writing = true;
        }

        try
        {
            // SslStream writes everything before completing, and completes when the socket took it.
            await stream.WriteAsync(data).ConfigureAwait(false);
        }
        finally
        {
            bool start;
            lock (_gate)
            {
                _writing = false;
                start = _shutdownWanted && !_shutdownStarted;
                _shutdownStarted |= start;
            }

            if (start)
            {
                _ = CloseNotifyAsync();
            }
        }
    }

    /// <summary>
    /// close_notify, then the socket's FIN. SslStream refuses a write while another is in flight, so a
    /// shutdown asked for during a write (daemon shutdown, heartbeat) runs when that write is done.
    /// </summary>
    public void ShutdownSend()
    {
        bool start;
        lock (_gate)
        {
            _shutdownWanted = true;
            start = !_writing && !_shutdownStarted;
            _shutdownStarted |= start;
        }

        if (start)
        {
            _ = CloseNotifyAsync();
        }
    }

    public void Dispose()
    {
        stream.Dispose();
        socket.Dispose();
    }

    private async Task CloseNotifyAsync()
    {
        try
        {
            await stream.ShutdownAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException or NotSupportedException)
        {
            // The target is gone or the session was disposed meanwhile: the FIN below is all that is left to try.
        }

        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
