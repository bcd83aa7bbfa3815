using System.Net;
using System.Net.Sockets;
using Websockify.Listening;
using Websockify.Net;
using Websockify.Systemd;

namespace Websockify.Hosting;

/// <summary>
/// The sockets the daemon serves: the one it binds, or those the service manager (or inetd) passed,
/// including an already accepted connection (Accept=yes). Described for the banner.
/// </summary>
internal sealed record ListenerSet(IReadOnlyList<Socket> Listeners, Socket? Connection, string Source, string Description)
{
    /// <summary>The port a wrapped program will bind: ours (a socket we bound or were passed), else the one named.</summary>
    public int Port(ListenSettings? named) =>
        Listeners.Select(l => l.LocalEndPoint).OfType<IPEndPoint>().Select(e => e.Port).FirstOrDefault(named?.Port ?? 0);

    /// <exception cref="ListenException">The address cannot be bound, or a passed fd is not a stream socket.</exception>
    public static ListenerSet Open(ListenSettings? listen, IReadOnlyList<PassedFd> passed, bool inetd)
    {
        if (passed.Count == 0)
        {
            var socket = ListenSocketFactory.Bind(listen!);
            var bound = EndpointText.Format(socket.LocalEndPoint);
            return new ListenerSet([socket], null, bound, $"Listen on {bound}");
        }

        var inherited = InheritedSockets.Adopt(passed);
        var source = inherited.Listeners.Count > 0
            ? string.Join(", ", inherited.Listeners.Select(l => EndpointText.Format(l.LocalEndPoint)))
            : EndpointText.Format(inherited.Connection?.LocalEndPoint);
        return inetd
            ? new ListenerSet(inherited.Listeners, inherited.Connection, "inetd", "Listen for inetd connections")
            : new ListenerSet(inherited.Listeners, inherited.Connection, source,
                $"Listen on {source} (passed by the service manager: {string.Join(", ", passed.Select(p => p.Name))})");
    }
}
