using System.Net.Sockets;

namespace Websockify.Platform;

/// <summary>
/// A Unix datagram socket bound in a fresh directory only we can enter (0700), for messages from our
/// own children: rebind.so's port reports, the -D child's READY=1. Disposing removes both.
/// </summary>
internal sealed class PrivateDatagramSocket : IDisposable
{
    private readonly DirectoryInfo _directory;

    private PrivateDatagramSocket(DirectoryInfo directory, Socket socket, string path)
    {
        _directory = directory;
        Socket = socket;
        Path = path;
    }

    public Socket Socket { get; }

    /// <summary>The socket's file, to hand to the child.</summary>
    public string Path { get; }

    public static PrivateDatagramSocket Create(string purpose)
    {
        var directory = Directory.CreateTempSubdirectory($"websockify-{purpose}-");
        var path = System.IO.Path.Combine(directory.FullName, purpose + ".sock");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        catch
        {
            socket.Dispose();
            directory.Delete(recursive: true);
            throw;
        }

        return new PrivateDatagramSocket(directory, socket, path);
    }

    public void Dispose()
    {
        Socket.Dispose();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
