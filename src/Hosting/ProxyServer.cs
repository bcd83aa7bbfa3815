using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Websockify.Listening;
using Websockify.Relay;

namespace Websockify.Hosting;

/// <summary>
/// Owns the listening sockets and every connection accepted from them, and shuts them down in order:
/// stop accepting, close each session with 1001, wait a bounded time, abort what is left. When the server
/// ends on its own (<see cref="ServerLifetime"/>) it only stops accepting and lets what is open finish.
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
    private readonly SessionObservers _observers;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ServerLifetime? _lifetime;
    private readonly SemaphoreSlim? _oneAtATime;
    private readonly ConnectionGate _gate;
    private readonly RefusalLog _refusals;
    private int _openConnections;
    private volatile bool _notAccepting;
    private volatile bool _draining;

    /// <param name="shutdown">Cancelled by <see cref="StopAsync"/>; the pipeline's stages watch its token.</param>
    /// <param name="observers">Drained once the sessions are over, so recordings are complete before the exit.</param>
    public ProxyServer(
        IReadOnlyList<Socket> listeners, SessionRegistry sessions, ConnectionPipeline pipeline, CancellationTokenSource shutdown, Limits limits, TimeProvider time, ILogger logger,
        ServerLifetime? lifetime = null, SessionObservers? observers = null)
    {
        _lifetime = lifetime;
        _oneAtATime = lifetime is { OneAtATime: true } ? new SemaphoreSlim(1, 1) : null;
        _observers = observers ?? SessionObservers.None;
        _listeners = listeners;
        _sessions = sessions;
        _pipeline = pipeline;
        _shutdown = shutdown;
        _limits = limits;
        _time = time;
        _logger = logger;
        _gate = new ConnectionGate(limits.MaxConnections, limits.MaxConnectionsPerAddress);
        _refusals = new RefusalLog(limits.MaxConnections, limits.MaxConnectionsPerAddress, time, logger);
    }

    /// <summary>Connections open now (handshakes, plain HTTP, sessions), as the connection limits count them.</summary>
    public int OpenConnections => _gate.Open;

    public int SessionCount => _sessions.Count;

    /// <summary>The send timeout's timer over <see cref="SessionRegistry"/>: held here for as long as the server runs.</summary>
    public SendWatchdog? SendWatchdog { get; init; }

    /// <summary>Settles memory after bursts of sessions; disposed with the server.</summary>
    public MemorySettler? MemorySettler { get; init; }

    /// <summary><c>--metrics</c>; null when off.</summary>
    public Metrics.DaemonMetrics? Metrics { get; init; }

    /// <summary>Bytes relayed so far by the sessions open now (read at each metrics scrape).</summary>
    public (long ToTarget, long ToClient) LiveBytes()
    {
        long toTarget = 0, toClient = 0;
        foreach (var session in _sessions.Live)
        {
            toTarget += session.BytesToTarget;
            toClient += session.BytesToClient;
        }

        return (toTarget, toClient);
    }

    /// <summary>Completes once the server stopped accepting and every connection it had has ended.</summary>
    public Task Drained => _drained.Task;

    /// <summary>An already accepted connection (systemd Accept=yes): one session, then done.</summary>
    public async Task ServeSingleAsync(Socket connection)
    {
        Opened();
        await ServeAsync(connection, null).ConfigureAwait(false);
    }

    /// <summary>
    /// The server ended on its own: no more connections are accepted (the listening sockets close, so new
    /// clients are refused); those open now go on, and <see cref="Drained"/> completes when they are done.
    /// </summary>
    public void StopAccepting()
    {
        _notAccepting = true;
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }

        if (Volatile.Read(ref _openConnections) == 0)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>True from the start of a drain (or of the stop): a balancer's health check gets 503.</summary>
    public bool Draining => _draining || _shutdown.IsCancellationRequested;

    /// <summary>
    /// <c>--drain-timeout</c>: stop accepting and let the open connections finish on their own, for at most
    /// <paramref name="limit"/> or until <paramref name="cutShort"/> (a second signal) completes.
    /// <paramref name="progress"/> hears how many are left, once a second. <see cref="StopAsync"/> follows
    /// for whatever is left.
    /// </summary>
    /// <returns>Whether every connection ended within the limit.</returns>
    public async Task<bool> DrainAsync(TimeSpan limit, Task cutShort, Action<int> progress)
    {
        _draining = true;
        StopAccepting();
        using var over = new CancellationTokenSource();
        var timeUp = Task.Delay(limit, _time, over.Token);
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        while (!_drained.Task.IsCompleted && !cutShort.IsCompleted && !timeUp.IsCompleted)
        {
            progress(OpenConnections);
            await Task.WhenAny(_drained.Task, cutShort, timeUp, tick.WaitForNextTickAsync(over.Token).AsTask()).ConfigureAwait(false);
        }

        await over.CancelAsync().ConfigureAwait(false);
        return _drained.Task.IsCompleted;
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
        SendWatchdog?.Dispose();
        MemorySettler?.Dispose();
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

        // Every session has ended (its OnEnded queued the file's end) or was given up on: write them out, bounded.
        await Task.Run(() => _observers.Drain(Limits.ObserverDrainTimeout)).ConfigureAwait(false);
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
        while (!_shutdown.IsCancellationRequested && !_notAccepting)
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

            // Past a connection limit: closed at once, before it costs a handshake; open sessions are untouched.
            var address = (client.RemoteEndPoint as IPEndPoint)?.Address;
            if (_gate.TryEnter(address) is { } refusal)
            {
                _refusals.Refused(refusal, client.RemoteEndPoint?.ToString() ?? "a unix socket client");
                Metrics?.Refused("limit", 0);
                client.Dispose();
                continue;
            }

            Opened();
            if (_oneAtATime is null)
            {
                _ = ServeAsync(client, new Admission(_gate, _refusals, address));
                continue;
            }

            // --run-once: one connection at a time; the next waits (accepted, unserved) for this one.
            await _oneAtATime.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                await ServeAsync(client, new Admission(_gate, _refusals, address)).ConfigureAwait(false);
            }
            finally
            {
                _oneAtATime.Release();
            }
        }
    }

    private void Opened()
    {
        Interlocked.Increment(ref _openConnections);
        _lifetime?.Opened();
    }

    /// <param name="admission">Where <see cref="_gate"/> counts it (left when it ends); null when not counted.</param>
    private async Task ServeAsync(Socket client, Admission? admission)
    {
        var session = false;
        try
        {
            if (_notAccepting || _shutdown.IsCancellationRequested)
            {
                client.Dispose(); // accepted while the server was ending (it waited behind --run-once's one session)
                return;
            }

            session = await _pipeline.RunAsync(client, admission).ConfigureAwait(false);
        }
        finally
        {
            admission?.Leave();

            _lifetime?.Closed(session);
            if (_lifetime?.Ended.IsCompleted == true)
            {
                _notAccepting = true; // at once: --run-once must not take the next connection before the server is told
            }

            if (Interlocked.Decrement(ref _openConnections) == 0 && (_shutdown.IsCancellationRequested || _notAccepting))
            {
                _drained.TrySetResult();
            }
        }
    }
}
