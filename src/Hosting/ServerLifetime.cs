namespace Websockify.Hosting;

/// <summary>
/// When the server ends on its own, with upstream's semantics and log lines: <c>--timeout N</c>, N seconds
/// after launch whatever the activity; <c>--idle-timeout N</c>, once no connection has been open for N
/// seconds (the clock starts at launch; any open connection, even a bare TCP probe, holds it off);
/// <c>--run-once</c>, once the first connection that became a WebSocket session has finished (plain
/// HTTP requests and probes do not count). Ending means: stop accepting; sessions open at that moment
/// are not cut off, the process exits 0 when they are done.
/// </summary>
internal sealed class ServerLifetime : IDisposable
{
    /// <summary>Upstream looks once a second too.</summary>
    private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(1);

    private readonly LifetimeSettings _settings;
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource<string> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ITimer? _deadline;
    private readonly ITimer? _idleCheck;
    private int _open;
    private long _lastActive;

    public ServerLifetime(LifetimeSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        _lastActive = time.GetTimestamp();
        if (settings.TimeoutSeconds is { } timeout)
        {
            _deadline = time.CreateTimer(_ => End($"listener exit due to --timeout {timeout}"), null, TimeSpan.FromSeconds(timeout), Timeout.InfiniteTimeSpan);
        }

        if (settings.IdleTimeoutSeconds is not null)
        {
            _idleCheck = time.CreateTimer(_ => CheckIdle(), null, IdleCheck, IdleCheck);
        }
    }

    /// <summary>Completes, with upstream's log line, when the server should stop accepting.</summary>
    public Task<string> Ended => _ended.Task;

    /// <summary><c>--run-once</c>: connections are served one at a time.</summary>
    public bool OneAtATime => _settings.RunOnce;

    public void Opened() => Interlocked.Increment(ref _open);

    /// <param name="wasSession">The connection became a WebSocket session (the 101 went out).</param>
    public void Closed(bool wasSession)
    {
        if (Interlocked.Decrement(ref _open) == 0)
        {
            Volatile.Write(ref _lastActive, _time.GetTimestamp());
        }

        if (wasSession && _settings.RunOnce)
        {
            End("exiting due to --run-once");
        }
    }

    public void Dispose()
    {
        _deadline?.Dispose();
        _idleCheck?.Dispose();
    }

    private void CheckIdle()
    {
        if (Volatile.Read(ref _open) == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastActive)).TotalSeconds >= _settings.IdleTimeoutSeconds)
        {
            End($"listener exit due to --idle-timeout {_settings.IdleTimeoutSeconds}");
        }
    }

    private void End(string reason)
    {
        if (_ended.TrySetResult(reason))
        {
            Dispose();
        }
    }
}
