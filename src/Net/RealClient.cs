using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Http;

namespace Websockify.Net;

/// <summary>
/// The client behind a balancer (upstream #334, #630). First stage of a connection with
/// <c>--proxy-protocol</c>: a peer in <c>--trusted-proxy</c> must open with a PROXY header, anyone
/// else must not send one. Then, for each request from a trusted peer, <c>X-Forwarded-For</c>. What they
/// name becomes the connection's peer (<see cref="ConnectionContext.ForwardedFrom"/>) and what its
/// connection limit counts.
/// </summary>
internal sealed class RealClient(ClientAddressSettings settings, ILogger logger, Metrics.DaemonMetrics? metrics = null)
{
    /// <summary>Refused because the real client is at <c>--max-connections-per-ip</c> already.</summary>
    public static readonly HttpRejection TooManyFromAddress = new(503, "Too many connections from this address");

    public bool Enabled => settings.ProxyProtocol || !settings.Trusted.IsEmpty;

    /// <returns>False when the connection ends here (the reason is logged).</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> AcceptAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        if (!settings.ProxyProtocol)
        {
            return true;
        }

        if (!settings.Trusted.Trusts(connection.PeerEndPoint))
        {
            if (await ProxyHeaderReader.LooksLikeHeaderAsync(connection.Socket, cancellationToken).ConfigureAwait(false))
            {
                NetLog.ProxyHeaderUntrusted(logger, connection.LogName);
                metrics?.Refused("proxy", 0);
                return false;
            }

            return true;
        }

        var read = await ProxyHeaderReader.ReadAsync(connection.Socket, cancellationToken).ConfigureAwait(false);
        if (read.Closed)
        {
            Listening.ListeningLog.ClosedBeforeRequest(logger, connection.LogName);
            return false;
        }

        if (read.Parse.Status != ProxyHeaderStatus.Parsed)
        {
            NetLog.ProxyHeaderInvalid(logger, connection.LogName, read.Parse.Error ?? "no PROXY header");
            metrics?.Refused("proxy", 0);
            return false;
        }

        connection.Transport = PrefixedStream.Unread(connection.Transport, read.Rest);
        var proxy = connection.Peer;
        if (read.Parse.Source is not { } source)
        {
            NetLog.ProxyHeaderWithoutClient(logger, connection.LogName, proxy);
            return true;
        }

        connection.ForwardedFrom(source, read.Parse.Destination);
        NetLog.ProxiedClient(logger, connection.LogName, proxy);
        if (connection.Admission?.TryMoveTo((source as IPEndPoint)?.Address, connection.Peer) == false)
        {
            metrics?.Refused("limit", 0);
            return false;
        }

        return true;
    }

    /// <summary><c>X-Forwarded-For</c> of a request from a trusted peer.</summary>
    /// <returns>Null to go on; the rejection when the real client is over its connection limit.</returns>
    public HttpRejection? ApplyForwardedFor(ConnectionContext connection, HttpRequest request)
    {
        if (settings.Trusted.IsEmpty || !settings.Trusted.Trusts(connection.ConnectedEndPoint))
        {
            return null;
        }

        var values = request.GetAll(ForwardedFor.HeaderName).ToList();
        if (values.Count == 0)
        {
            return null;
        }

        if (ForwardedFor.Client(values, settings.Trusted) is not { } address)
        {
            NetLog.ForwardedForUnusable(logger, connection.LogName);
            return null;
        }

        var proxy = EndpointText.Format(connection.ConnectedEndPoint);
        connection.ForwardedFrom(new IPEndPoint(address, 0), perRequest: true);
        NetLog.ForwardedClient(logger, connection.LogName, proxy);
        return connection.Admission?.TryMoveTo(address, connection.Peer) == false ? TooManyFromAddress : null;
    }
}
