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
    public ConnectionContext(long id, Socket socket, long acceptedAt)
    {
        Id = id;
        Socket = socket;
        PeerEndPoint = socket.RemoteEndPoint;
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
    public string LogName { get; }

    public Socket Socket { get; }

    public EndPoint? PeerEndPoint { get; }

    /// <summary>Asked of the socket when a stage needs it: getsockname(2) is not worth doing for every accepted connection.</summary>
    public EndPoint? LocalEndPoint => Socket.LocalEndPoint;

    /// <summary>The peer, formatted once (<see cref="EndpointText"/>).</summary>
    public string Peer { get; }

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

    public async ValueTask DisposeAsync() => await Transport.DisposeAsync().ConfigureAwait(false);
}
