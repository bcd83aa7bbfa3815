using System.Net.Sockets;
using Websockify.Listening;

namespace Websockify.Systemd;

/// <summary>Passed fds sorted into listening sockets (served as usual) and an accepted connection (Accept=yes).</summary>
internal sealed record InheritedSockets(IReadOnlyList<Socket> Listeners, Socket? Connection)
{
    private const int SolSocket = 1;
    private const int SoAcceptConn = 30;

    /// <exception cref="ListenException">A passed fd is not a stream socket, or more than <see cref="Limits.MaxPassedSockets"/> were passed.</exception>
    public static InheritedSockets Adopt(IReadOnlyList<PassedFd> passed)
    {
        if (passed.Count > Limits.MaxPassedSockets)
        {
            throw new ListenException($"{passed.Count} sockets were passed (LISTEN_FDS); at most {Limits.MaxPassedSockets} are served");
        }

        var listeners = new List<Socket>();
        Socket? connection = null;
        foreach (var fd in passed)
        {
            Socket socket;
            try
            {
                socket = new Socket(new SafeSocketHandle(fd.Fd, ownsHandle: true));
            }
            catch (SocketException ex)
            {
                throw new ListenException($"passed fd {fd.Fd} ({fd.Name}) is not a socket: {ex.Message}");
            }

            if (socket.SocketType != SocketType.Stream)
            {
                throw new ListenException($"passed fd {fd.Fd} ({fd.Name}) is not a stream socket");
            }

            var accepting = new byte[4];
            socket.GetRawSocketOption(SolSocket, SoAcceptConn, accepting);
            if (BitConverter.ToInt32(accepting) != 0)
            {
                listeners.Add(socket);
            }
            else if (connection is null)
            {
                connection = socket;
            }
            else
            {
                throw new ListenException("more than one connected socket was passed (Accept=yes passes exactly one)");
            }
        }

        return new InheritedSockets(listeners, connection);
    }
}
