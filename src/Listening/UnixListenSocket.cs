using System.Net.Sockets;
using Websockify.Interop;

namespace Websockify.Listening;

/// <summary>
/// The listening Unix stream socket of <c>--unix-listen</c>. A socket file left behind by a daemon that
/// is gone (connecting is refused) is replaced; one somebody listens on is an error, and so is anything
/// at the path that is not a socket (a regular file, a symbolic link): only stale sockets are unlinked.
/// The socket is bound under a umask that gives it exactly the asked mode, so it is never more open,
/// not even briefly. At exit the file is removed while it is still the one bound here (device and inode).
/// </summary>
internal sealed class UnixListenSocket : IDisposable
{
    private const int EconnRefused = 111; // ECONNREFUSED: nobody listens on the socket file

    private readonly ulong _device;
    private readonly ulong _inode;

    private UnixListenSocket(Socket socket, string path, ulong device, ulong inode)
    {
        Socket = socket;
        Path = path;
        _device = device;
        _inode = inode;
    }

    public Socket Socket { get; }

    public string Path { get; }

    /// <exception cref="ListenException">In use, not a socket, or it cannot be bound.</exception>
    public static UnixListenSocket Bind(UnixListenSettings settings)
    {
        var path = settings.Path;
        UnixDomainSocketEndPoint endpoint;
        try
        {
            endpoint = new UnixDomainSocketEndPoint(path);
        }
        catch (ArgumentException)
        {
            throw new ListenException($"cannot listen on unix socket {path}: the path is too long for a unix socket");
        }

        if (LibC.TryGetLinkStatus(path, out var existing, out _))
        {
            if (existing.Kind != FileKind.Socket)
            {
                throw new ListenException($"cannot listen on unix socket {path}: something that is not a socket is at that path (not removed)");
            }

            RemoveIfStale(path, endpoint);
        }

        // bind(2) creates the file 0777 & ~umask: with this umask it is born with exactly the mode asked.
        // Start-up is single-threaded here, so no other file is created under the borrowed umask.
        var previous = LibC.Umask(0x1FF ^ (uint)settings.Mode);
        Socket? socket;
        int errno;
        try
        {
            socket = LibC.ListenUnix(path, ListenSocketFactory.Backlog, out errno);
        }
        finally
        {
            LibC.Umask(previous);
        }

        if (socket is null)
        {
            throw new ListenException($"cannot listen on unix socket {path}: {LibC.Describe(errno)}");
        }

        if (!LibC.TryGetLinkStatus(path, out var bound, out errno))
        {
            socket.Dispose();
            throw new ListenException($"cannot listen on unix socket {path}: {LibC.Describe(errno)}");
        }

        return new UnixListenSocket(socket, path, bound.Device, bound.Inode);
    }

    /// <summary>Closes the socket and removes its file, unless somebody else has put another one there since.</summary>
    public void Dispose()
    {
        Socket.Dispose();
        if (LibC.TryGetLinkStatus(Path, out var status, out _)
            && status is { Kind: FileKind.Socket } && status.Device == _device && status.Inode == _inode)
        {
            TryDelete(Path);
        }
    }

    private static void RemoveIfStale(string path, UnixDomainSocketEndPoint endpoint)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(endpoint);
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused || ex.NativeErrorCode == EconnRefused)
        {
            // Stale: its daemon is gone. Unlinking a socket file touches no other file.
            TryDelete(path);
            return;
        }
        catch (SocketException ex)
        {
            throw new ListenException($"cannot listen on unix socket {path}: the existing socket cannot be checked: {ex.Message}");
        }

        throw new ListenException($"cannot listen on unix socket {path}: another process is listening on it");
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}
