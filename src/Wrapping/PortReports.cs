using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Websockify.Platform;
using Websockify.Targets;

namespace Websockify.Wrapping;

/// <summary>
/// Receives rebind.so's "FAMILY PORT" datagrams on a Unix socket in a private (0700) directory. The
/// shim binds loopback port 0 and reports the port the kernel gave once the program listens, so no
/// port is chosen in advance and two wrapped daemons can never race for one (upstream's TOCTOU).
/// </summary>
internal sealed class PortReports : IDisposable
{
    private readonly PrivateDatagramSocket _socket;
    private readonly Lock _lock = new();
    private TaskCompletionSource<TargetEndpoint> _current = NewSource();
    private TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortReports(PrivateDatagramSocket socket)
    {
        _socket = socket;
    }

    public string SocketPath => _socket.Path;

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
        var reports = new PortReports(PrivateDatagramSocket.Create("rebind"));
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
                _replaced.TrySetResult();
                _replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    /// <summary>Completes once <paramref name="run"/> is no longer the current run (a new one started).</summary>
    public Task Replaced(Task<TargetEndpoint> run)
    {
        lock (_lock)
        {
            return _current.Task == run ? _replaced.Task : Task.CompletedTask;
        }
    }

    public void Dispose() => _socket.Dispose();

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
            "4" => TargetEndpoint.Tcp("127.0.0.1", port),
            "6" => TargetEndpoint.Tcp("::1", port),
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
                read = await _socket.Socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
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
