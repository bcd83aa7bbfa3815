using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Websockify.Connections;

namespace Websockify.Targets;

/// <summary>
/// Dials the connection's chosen target; after a failure the resolver may offer one other target (a
/// respawned wrapped program's new port). Null when there is no connection: the session closes 1011.
/// With <c>--target-proxy-protocol</c> every connection opens with the client's PROXY header.
/// </summary>
internal sealed class TargetConnector(TargetDialer dialer, ITargetResolver resolver, ILogger logger, ProxyProtocolVersion? proxyProtocol = null)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ITargetConnection?> ConnectAsync(ConnectionContext connection, CancellationToken shutdown)
    {
        var target = connection.Target!;
        var preface = proxyProtocol is { } version ? ProxyHeader.Build(version, connection.PeerEndPoint, LocalEndPointOf(connection)) : null;
        for (var attempt = 0; ; attempt++)
        {
            if (target.UnixPath is { } path)
            {
                TargetLog.ConnectingUnix(logger, connection.LogName, path);
            }
            else
            {
                TargetLog.Connecting(logger, connection.LogName, target.ToString());
            }

            var result = await dialer.DialAsync(target, shutdown, preface).ConfigureAwait(false);
            if (result.Connection is { } open)
            {
                connection.Target = target;
                return open;
            }

            TargetLog.ConnectFailed(logger, connection.LogName, target.ToString(), result.Failure!);
            var retry = attempt == 0 && !shutdown.IsCancellationRequested
                ? await resolver.RetryAfterConnectFailureAsync(target, shutdown).ConfigureAwait(false)
                : null;
            if (retry is null)
            {
                return null;
            }

            target = retry;
        }
    }

    /// <summary>getsockname(2) can fail on a connection the client already reset; the header then says the address is unknown.</summary>
    private static System.Net.EndPoint? LocalEndPointOf(ConnectionContext connection)
    {
        try
        {
            return connection.LocalEndPoint;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            return null;
        }
    }
}
