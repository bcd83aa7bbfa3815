using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Websockify.Listening;
using Websockify.Relay;

namespace Websockify.Hosting;

/// <summary>
/// Owns the listening sockets and every connection accepted from them, and shuts them down in order:
/// stop accepting, close each session with 1001, wait a bounded time, abort what is left.
/// </summary>
internal sealed class ProxyServer
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyList<Socket> _listeners;
    private readonly SessionRegistry _sessions;
    private readonly ConnectionPipeline _pipeline;
    private readonly Limits _limits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _shutdown;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _openConnections;

    /// <param name="shutdown">Cancelled by <see cref="StopAsync"/>; the pipeline's stages watch its token.</param>
    public ProxyServer(
        IReadOnlyList<Socket> listeners, SessionRegistry sessions, ConnectionPipeline pipeline, CancellationTokenSource shutdown, Limits limits, TimeProvider time, ILogger logger)
    {
        _listeners = listeners;
        _sessions = sessions;
        _pipeline = pipeline;
        _shutdown = shutdown;
        _limits = limits;
        _time = time;
        _logger = logger;
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

        if (Volatile.Read(ref _openConnections) == 0)
        {
            _drained.TrySetResult();
        }

        await Task.WhenAll(_sessions.Snapshot().Select(s => s.RequestCloseAsync())).ConfigureAwait(false);
        if (!await DrainedWithinAsync(_limits.ShutdownGrace).ConfigureAwait(false))
        {
            var stragglers = _sessions.Snapshot();
            HostingLog.AbortingSessions(_logger, stragglers.Count);
            foreach (var session in stragglers)
            {
                session.Abort();
            }

            await DrainedWithinAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
    }

    private async Task<bool> DrainedWithinAsync(TimeSpan limit)
    {
        try
        {
            await _drained.Task.WaitAsync(limit, _time).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
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
                ListeningLog.AcceptFailed(_logger, ex.Message, (int)AcceptRetryDelay.TotalMilliseconds);
                try
                {
                    await Task.Delay(AcceptRetryDelay, _time, _shutdown.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

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
            if (Interlocked.Decrement(ref _openConnections) == 0 && _shutdown.IsCancellationRequested)
            {
                _drained.TrySetResult();
            }
        }
    }
}
