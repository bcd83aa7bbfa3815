using System.Net;
using System.Net.Sockets;

namespace Websockify.Targets;

/// <summary>
/// Opens the TCP connection to a target. Unlike upstream, which tries only the first address,
/// every resolved address is tried in order (IPv4 first, as upstream sorts), within one deadline.
/// </summary>
internal static class TargetConnector
{
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> ConnectAsync(TargetEndpoint target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConnectTimeout);
        var addresses = IPAddress.TryParse(target.Host, out var literal)
            ? [literal]
            : (await Dns.GetHostAddressesAsync(target.Host, timeout.Token).ConfigureAwait(false))
                .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
                .ToArray();
        if (addresses.Length == 0)
        {
            throw new SocketException((int)SocketError.HostNotFound);
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, target.Port), timeout.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                return socket;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = ex is OperationCanceledException && !cancellationToken.IsCancellationRequested
                    ? new TimeoutException($"connection timed out after {ConnectTimeout.TotalSeconds:0} s")
                    : ex;
                if (ex is OperationCanceledException)
                {
                    break;
                }
            }
        }

        throw last!;
    }
}
