using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Websockify.Targets;

namespace Websockify.Wrapping;

/// <summary>
/// Receives rebind.so's "FAMILY PORT" datagrams on a Unix socket in a private (0700) directory. The
/// shim binds loopback port 0 and reports the port the kernel gave once the program listens, so no
/// port is chosen in advance and two wrapped daemons can never race for one (upstream's TOCTOU).
/// </summary>
internal sealed class PortReports : IDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly Socket _socket;
    private readonly Lock _lock = new();
    private TaskCompletionSource<TargetEndpoint> _current = NewSource();

    private PortReports(DirectoryInfo directory, Socket socket)
    {
        _directory = directory;
        _socket = socket;
        SocketPath = Path.Combine(directory.FullName, "rebind.sock");
    }

    public string SocketPath { get; }

    /// <summary>Completes when the current run of the program listens on its loopback port.</summary>
    public Task<TargetEndpoint> Current
    {
        get
        {
            lock (_lock)
            {
                return _current.Task;
            }
        }
    }

    public static PortReports Create()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-rebind-");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory.FullName, "rebind.sock")));
        var reports = new PortReports(directory, socket);
        _ = reports.ReceiveLoopAsync();
        return reports;
    }

    /// <summary>A new run starts: sessions wait for its port instead of trying the old one.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            if (_current.Task.IsCompleted)
            {
                _current = NewSource();
            }
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Parses "4 5901" or "6 5901"; null for anything else.</summary>
    public static TargetEndpoint? Parse(string message)
    {
        var parts = message.Trim().Split(' ');
        if (parts.Length != 2
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            || port is <= 0 or > 65535)
        {
            return null;
        }

        return parts[0] switch
        {
            "4" => new TargetEndpoint("127.0.0.1", port),
            "6" => new TargetEndpoint("::1", port),
            _ => null,
        };
    }

    private static TaskCompletionSource<TargetEndpoint> NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64];
        while (true)
        {
            int read;
            try
            {
                read = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            if (Parse(Encoding.ASCII.GetString(buffer, 0, read)) is { } endpoint)
            {
                lock (_lock)
                {
                    // The first listening socket of a run wins; a second family reports the same port.
                    _current.TrySetResult(endpoint);
                }
            }
        }
    }
}
