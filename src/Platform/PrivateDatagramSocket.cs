using System.Net.Sockets;

namespace Websockify.Platform;

/// <summary>No private socket could be made (TMPDIR missing, unwritable, or too long a path); the message says which.</summary>
internal sealed class PrivateSocketException(string message) : Exception(message);

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

    /// <summary>sun_path holds 108 bytes, the terminating NUL included.</summary>
    private const int MaxSocketPathBytes = 107;

    /// <exception cref="PrivateSocketException">The temporary directory cannot hold it.</exception>
    public static PrivateDatagramSocket Create(string purpose)
    {
        DirectoryInfo directory;
        try
        {
            directory = Directory.CreateTempSubdirectory($"websockify-{purpose}-");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PrivateSocketException($"cannot make a private directory in '{System.IO.Path.GetTempPath()}' (TMPDIR): {ex.Message}");
        }

        var path = System.IO.Path.Combine(directory.FullName, purpose + ".sock");
        if (System.Text.Encoding.UTF8.GetByteCount(path) > MaxSocketPathBytes)
        {
            directory.Delete(recursive: true);
            throw new PrivateSocketException(
                $"the temporary directory '{System.IO.Path.GetTempPath()}' (TMPDIR) is too long a path for a Unix socket " +
                $"(at most {MaxSocketPathBytes} bytes with the socket's name); set TMPDIR to a shorter one");
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            directory.Delete(recursive: true);
            throw new PrivateSocketException($"cannot bind a private socket at '{path}': {ex.Message}");
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
