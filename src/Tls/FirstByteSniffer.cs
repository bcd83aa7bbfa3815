using System.Runtime.CompilerServices;
using System.Net.Sockets;

namespace Websockify.Tls;

internal enum ConnectionKind
{
    Closed,
    Plain,
    Tls,
}

/// <summary>
/// One port serves ws:// and wss://: peek at the first byte without consuming it. 0x16 opens a TLS
/// handshake record; 0x80 is an SSLv2-compatible ClientHello (upstream accepts both).
/// </summary>
internal static class FirstByteSniffer
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public static async ValueTask<ConnectionKind> SniffAsync(Socket socket, CancellationToken cancellationToken)
    {
        var first = new byte[1];
        var read = await socket.ReceiveAsync(first, SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
        return read == 0 ? ConnectionKind.Closed : Classify(first[0]);
    }

    public static ConnectionKind Classify(byte first) => first is 0x16 or 0x80 ? ConnectionKind.Tls : ConnectionKind.Plain;
}
