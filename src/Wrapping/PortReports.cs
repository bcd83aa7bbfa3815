using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Websockify.Interop;
using Websockify.Logging;
using Websockify.Platform;
using Websockify.Targets;

namespace Websockify.Wrapping;

/// <summary>
/// Receives rebind.so's "FAMILY PORT" datagrams on a Unix socket in a private (0700) directory. The
/// shim binds loopback port 0 and reports the port the kernel gave once the program listens, so no
/// port is chosen in advance and two wrapped daemons can never race for one (upstream's TOCTOU).
/// Only the program's own processes are heard: the kernel tells us each datagram's sender (SO_PASSCRED),
/// and a report from any other process of the same user is dropped, so none can redirect sessions.
/// </summary>
internal sealed class PortReports : IDisposable
{
    private readonly PrivateDatagramSocket _socket;
    private readonly Func<int, bool> _isFromProgram;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource<TargetEndpoint> _current = NewSource();
    private TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PortReports(PrivateDatagramSocket socket, Func<int, bool> isFromProgram, ILogger logger)
    {
        _socket = socket;
        _isFromProgram = isFromProgram;
        _logger = logger;
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

    /// <param name="isFromProgram">Whether a sender pid belongs to the wrapped program (the daemon's descendants).</param>
    public static PortReports Create(Func<int, bool> isFromProgram, ILogger logger)
    {
        var socket = PrivateDatagramSocket.Create("rebind");
        LibC.ReceiveSenderCredentials(socket.Socket);
        var reports = new PortReports(socket, isFromProgram, logger);
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
            // Wait without taking the datagram, then take it with its sender's credentials.
            try
            {
                await _socket.Socket.ReceiveAsync(buffer, SocketFlags.Peek).ConfigureAwait(false);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
            {
                // Longer than any report: taken and dropped below.
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }

            int read, sender;
            try
            {
                read = LibC.ReceiveWithSender(_socket.Socket, buffer, out sender);
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            if (read < 0)
            {
                continue;
            }

            var text = Encoding.ASCII.GetString(buffer, 0, read);
            if (sender <= 0 || !_isFromProgram(sender))
            {
                WrappingLog.ForeignPortReport(_logger, sender, LogEscaper.Escape(text.TrimEnd('\n')));
                continue;
            }

            if (Parse(text) is { } endpoint)
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
