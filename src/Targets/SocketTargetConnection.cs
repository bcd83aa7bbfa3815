using System.Net.Sockets;

namespace Websockify.Targets;

/// <summary>A plain TCP or Unix stream socket to the target.</summary>
internal sealed class SocketTargetConnection(Socket socket) : ITargetConnection
{
    /// <summary>For <c>--ssl-target</c>, which speaks TLS on this socket once it is connected.</summary>
    public Socket Socket => socket;

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer) => socket.ReceiveAsync(buffer, SocketFlags.None);

    public async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            var sent = await socket.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    public void ShutdownSend()
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    public void Dispose() => socket.Dispose();
}
