using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Websockify.Http;
using Websockify.Net;
using Websockify.Targets;

namespace Websockify.Connections;

/// <summary>
/// Everything known about one accepted connection, filled in stage by stage and handed to every
/// stage and seam: who it is, how it is carried, what it asked for, where it goes, and when.
/// </summary>
internal sealed class ConnectionContext : IAsyncDisposable
{
    private EndPoint? _destination;

    public ConnectionContext(long id, Socket socket, long acceptedAt, Hosting.Admission? admission = null)
    {
        Admission = admission;
        Id = id;
        Socket = socket;
        PeerEndPoint = socket.RemoteEndPoint;
        ConnectedEndPoint = PeerEndPoint;
        Peer = PeerEndPoint is UnixDomainSocketEndPoint && EndpointText.Format(PeerEndPoint) == "unix"
            ? EndpointText.Format(socket.LocalEndPoint) // an unnamed Unix client: the socket it came through
            : EndpointText.Format(PeerEndPoint);
        LogName = string.Create(CultureInfo.InvariantCulture, $"{Peer} #{id}");
        Transport = new NetworkStream(socket, ownsSocket: true);
        AcceptedAt = acceptedAt;
    }

    /// <summary>Unique in this daemon's run; every log line about the connection carries it.</summary>
    public long Id { get; }

    /// <summary>What log lines name the connection by: the peer and the id, e.g. <c>127.0.0.1:51234 #7</c>.</summary>
    /// <remarks>Built once: log calls pass it whether or not their level is enabled.</remarks>
    public string LogName { get; private set; }

    public Socket Socket { get; }

    /// <summary>The client: the socket's peer, or behind a trusted balancer the one it named (<see cref="ForwardedFrom"/>).</summary>
    public EndPoint? PeerEndPoint { get; private set; }

    /// <summary>
    /// What the client connected to: asked of the socket when a stage needs it (getsockname(2) is not
    /// worth doing for every accepted connection), or what the balancer's PROXY header said.
    /// </summary>
    public EndPoint? LocalEndPoint => _destination ?? Socket.LocalEndPoint;

    /// <summary>The peer, formatted once (<see cref="EndpointText"/>).</summary>
    public string Peer { get; private set; }

    /// <summary>
    /// Who sent this connection's requests: the socket's peer, or the client a PROXY header named. Its
    /// X-Forwarded-For is taken only when this one is trusted.
    /// </summary>
    public EndPoint? ConnectedEndPoint { get; private set; }

    /// <summary>This connection's place under the connection limits; null when not counted (systemd's Accept=yes).</summary>
    public Hosting.Admission? Admission { get; }

    /// <summary>The byte stream to the client: the socket's, then the TLS stream over it, then one that replays read-ahead bytes.</summary>
    public Stream Transport { get; set; }

    /// <summary>Set once TLS is negotiated; null for plain connections.</summary>
    public TlsFacts? Tls { get; set; }

    /// <summary>The request being handled (the upgrade, once there is one).</summary>
    public HttpRequest? Request { get; set; }

    /// <summary>Where the session goes, once resolved.</summary>
    public TargetEndpoint? Target { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> values: accepted, upgraded (101 sent), session ended.</summary>
    public long AcceptedAt { get; }

    public long? UpgradedAt { get; set; }

    /// <summary>
    /// A trusted balancer said who the client is: from here on logs, limits, metrics and the target's
    /// PROXY header name that client. <paramref name="destination"/>: what the client connected to, when known.
    /// </summary>
    /// <param name="perRequest">Named by a request's X-Forwarded-For, not by the connection's PROXY header: the next request on this connection may name another.</param>
    public void ForwardedFrom(EndPoint client, EndPoint? destination = null, bool perRequest = false)
    {
        if (!perRequest)
        {
            ConnectedEndPoint = client;
        }

        PeerEndPoint = client;
        Peer = client is IPEndPoint { Port: 0 } forwarded ? EndpointText.FormatAddress(forwarded.Address) : EndpointText.Format(client);
        LogName = string.Create(CultureInfo.InvariantCulture, $"{Peer} #{Id}");
        _destination = destination ?? _destination;
    }

    public async ValueTask DisposeAsync() => await Transport.DisposeAsync().ConfigureAwait(false);
}
