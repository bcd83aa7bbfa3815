using System.Net;
using System.Net.Sockets;
using Websockify.Listening;
using Websockify.Net;
using Websockify.Systemd;

namespace Websockify.Hosting;

/// <summary>
/// The sockets the daemon serves: the one it binds, or those the service manager (or inetd) passed,
/// including an already accepted connection (Accept=yes), and the <c>--unix-listen</c> socket. Described
/// for the banner, one line per kind of listener. Disposing it removes the Unix socket's file.
/// </summary>
internal sealed record ListenerSet(IReadOnlyList<Socket> Listeners, Socket? Connection, string Source, IReadOnlyList<string> Descriptions) : IDisposable
{
    /// <summary>The <c>--unix-listen</c> socket, whose file goes at exit; null without the option.</summary>
    public UnixListenSocket? Unix { get; init; }

    /// <summary>The port a wrapped program will bind: ours (a socket we bound or were passed), else the one named.</summary>
    public int Port(ListenSettings? named) =>
        Listeners.Select(l => l.LocalEndPoint).OfType<IPEndPoint>().Select(e => e.Port).FirstOrDefault(named?.Port ?? 0);

    /// <param name="listen">The TCP address to bind when nothing was passed; null: no TCP listener of our own.</param>
    /// <exception cref="ListenException">The address cannot be bound, or a passed fd is not a stream socket.</exception>
    public static ListenerSet Open(ListenSettings? listen, IReadOnlyList<PassedFd> passed, bool inetd, UnixListenSettings? unix = null)
    {
        var tcp = passed.Count > 0 || listen is not null ? OpenTcp(listen, passed, inetd) : null;
        if (unix is null)
        {
            return tcp ?? throw new ListenException("nothing to listen on");
        }

        UnixListenSocket bound;
        try
        {
            bound = UnixListenSocket.Bind(unix);
        }
        catch
        {
            foreach (var socket in tcp?.Listeners ?? [])
            {
                socket.Dispose();
            }

            throw;
        }

        var source = "unix:" + bound.Path;
        var description = $"Listen on unix socket {bound.Path}";
        return tcp is null
            ? new ListenerSet([bound.Socket], null, source, [description]) { Unix = bound }
            : new ListenerSet([.. tcp.Listeners, bound.Socket], tcp.Connection, $"{tcp.Source}, {source}", [.. tcp.Descriptions, description]) { Unix = bound };
    }

    public void Dispose() => Unix?.Dispose();

    private static ListenerSet OpenTcp(ListenSettings? listen, IReadOnlyList<PassedFd> passed, bool inetd)
    {
        if (passed.Count == 0)
        {
            var socket = ListenSocketFactory.Bind(listen!);
            var bound = EndpointText.Format(socket.LocalEndPoint);
            return new ListenerSet([socket], null, bound, [$"Listen on {bound}"]);
        }

        var inherited = InheritedSockets.Adopt(passed);
        var source = inherited.Listeners.Count > 0
            ? string.Join(", ", inherited.Listeners.Select(l => EndpointText.Format(l.LocalEndPoint)))
            : EndpointText.Format(inherited.Connection?.LocalEndPoint);
        return inetd
            ? new ListenerSet(inherited.Listeners, inherited.Connection, "inetd", ["Listen for inetd connections"])
            : new ListenerSet(inherited.Listeners, inherited.Connection, source,
                [$"Listen on {source} (passed by the service manager: {string.Join(", ", passed.Select(p => p.Name))})"]);
    }
}
