using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Websockify.Http;
using Websockify.Listening;
using Websockify.Relay;
using Websockify.Targets;

namespace Websockify.Hosting;

/// <summary>
/// Owns the listening sockets and every connection accepted from them, and shuts them down in order:
/// stop accepting, close each session with 1001, wait a bounded time, abort what is left.
/// </summary>
internal sealed class ProxyServer
{
    /// <summary>How long sessions get to finish their close handshake on shutdown before they are aborted.</summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(3);

    private readonly IReadOnlyList<Socket> _listeners;
    private readonly ILogger _logger;
    private readonly SessionRegistry _sessions = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConnectionPipeline _pipeline;
    private int _openConnections;

    public ProxyServer(IReadOnlyList<Socket> listeners, TlsServerContext tls, IHttpRequestHandler httpHandler, ITargetResolver targets, ILogger logger)
    {
        _listeners = listeners;
        _logger = logger;
        _pipeline = new ConnectionPipeline(tls, httpHandler, targets, _sessions, logger, _shutdown.Token);
    }

    public int SessionCount => _sessions.Count;

    /// <summary>An already accepted connection (systemd Accept=yes): one session, then done.</summary>
    public async Task ServeSingleAsync(Socket connection)
    {
        Interlocked.Increment(ref _openConnections);
        await ServeAsync(connection).ConfigureAwait(false);
    }

    /// <summary>Serves until <see cref="StopAsync"/> is called; completes once every listener has stopped.</summary>
    public Task RunAsync() => Task.WhenAll(_listeners.Select(AcceptLoopAsync));

    public async Task StopAsync(string reason)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        HostingLog.ShuttingDown(_logger, reason, _sessions.Count);
        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        await Task.WhenAll(_sessions.Snapshot().Select(s => s.RequestCloseAsync())).ConfigureAwait(false);
        if (!await WaitForConnectionsAsync(ShutdownGrace).ConfigureAwait(false))
        {
            var stragglers = _sessions.Snapshot();
            HostingLog.AbortingSessions(_logger, stragglers.Count);
            foreach (var session in stragglers)
            {
                session.Abort();
            }

            await WaitForConnectionsAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    private async Task<bool> WaitForConnectionsAsync(TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (Volatile.Read(ref _openConnections) > 0)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_shutdown.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(_shutdown.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // EMFILE and friends: back off instead of spinning; established sessions keep running.
                ListeningLog.AcceptFailed(_logger, ex.Message, 100);
                await Task.Delay(100).ConfigureAwait(false);
                continue;
            }

            Interlocked.Increment(ref _openConnections);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await _pipeline.RunAsync(client).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _openConnections);
        }
    }
}
