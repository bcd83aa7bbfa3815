using System.Net;
using System.Net.Sockets;

namespace Websockify.Targets;

/// <summary>
/// Opens the connection to a target. For TCP, unlike upstream, which tries only the first address,
/// every resolved address is tried in order (IPv4 first, as upstream sorts), within one deadline.
/// </summary>
internal sealed class TargetDialer(TimeSpan connectTimeout, TimeProvider time)
{
    public async ValueTask<DialResult> DialAsync(TargetEndpoint target, CancellationToken cancellationToken)
    {
        if (target.Tls)
        {
            // The endpoint can say so; the TLS client side arrives with --ssl-target (refused by the command line until then).
            return DialResult.Failed("TLS to the target is not supported in this build");
        }

        using var deadline = new CancellationTokenSource(connectTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return target.UnixPath is { } path
                ? await ConnectAsync(new UnixDomainSocketEndPoint(path), linked.Token).ConfigureAwait(false)
                : await ConnectTcpAsync(target.Host!, target.Port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return DialResult.Failed($"connection timed out after {connectTimeout.TotalSeconds:0.###} s");
        }
        catch (OperationCanceledException)
        {
            return DialResult.Failed("the daemon is stopping");
        }
    }

    private static async Task<DialResult> ConnectTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(host, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))
                    .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
                    .ToArray();
            }
            catch (SocketException ex)
            {
                return DialResult.Failed(ex.Message);
            }
        }

        if (addresses.Length == 0)
        {
            return DialResult.Failed(new SocketException((int)SocketError.HostNotFound).Message);
        }

        DialResult? last = null;
        foreach (var address in addresses)
        {
            last = await ConnectAsync(new IPEndPoint(address, port), cancellationToken).ConfigureAwait(false);
            if (last.Connection is not null)
            {
                return last;
            }
        }

        return last!;
    }

    /// <exception cref="OperationCanceledException">The deadline passed or the daemon is stopping.</exception>
    private static async Task<DialResult> ConnectAsync(EndPoint endpoint, CancellationToken cancellationToken)
    {
        var unix = endpoint is UnixDomainSocketEndPoint;
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            if (!unix)
            {
                socket.NoDelay = true;
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            }

            return DialResult.Connected(new SocketTargetConnection(socket));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return DialResult.Failed(ex.Message);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
