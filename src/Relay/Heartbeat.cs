using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Websockify.Relay;

/// <summary>
/// <c>--heartbeat N</c>: an empty ping to each client every N seconds and, beyond upstream, the end of
/// sessions whose client has said nothing (no pong, no data) for the heartbeat timeout, so half-open
/// sessions behind NATs and of dead laptops release their target. One timer, ticking once a second,
/// visits every session: thousands of idle sessions cost one timer and a dictionary entry each, not a
/// timer or a task each. Whether the client spoke is read from a counter the frame reader keeps, so
/// the data path pays no clock reads for it.
/// </summary>
internal sealed class Heartbeat : IDisposable
{
    /// <summary>Upstream checks about once a second too.</summary>
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<IHeartbeatSession, State> _sessions = new();
    private readonly long _interval;
    private readonly long _slack;
    private readonly long _timeout;
    private readonly long _abortAfter;
    private readonly TimeSpan _timeoutSpan;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ITimer _timer;
    private int _ticking;

    /// <param name="closeGrace">How long a closed session may take to end before it is aborted.</param>
    public Heartbeat(TimeSpan interval, TimeSpan timeout, TimeSpan closeGrace, TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _interval = Ticks(interval);
        _slack = Ticks(Tick) / 2;
        _timeout = Ticks(timeout);
        _timeoutSpan = timeout;
        _abortAfter = Ticks(closeGrace);
        _timer = time.CreateTimer(_ => OnTick(), null, Tick, Tick);
    }

    public int Count => _sessions.Count;

    public void Add(IHeartbeatSession session, string logName)
    {
        var now = _time.GetTimestamp();
        _sessions.TryAdd(session, new State(logName, session.ClientReads, now, NextPing(now)));
    }

    public void Remove(IHeartbeatSession session) => _sessions.TryRemove(session, out _);

    public void Dispose() => _timer.Dispose();

    /// <summary>Half a tick early: a periodic timer's ticks jitter, and a ping due at 2.000 s must not wait for the tick after 1.999 s.</summary>
    private long NextPing(long now) => now + _interval - _slack;

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    private void OnTick()
    {
        // A tick that outlasts the period (thousands of sessions on a busy machine) is not run twice at once.
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            var now = _time.GetTimestamp();
            foreach (var (session, state) in _sessions)
            {
                Visit(session, state, now);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void Visit(IHeartbeatSession session, State state, long now)
    {
        if (state.ClosingSince is { } closing)
        {
            if (now - closing >= _abortAfter)
            {
                _sessions.TryRemove(session, out _);
                session.Abort();
            }

            return;
        }

        var reads = session.ClientReads;
        if (reads != state.SeenReads)
        {
            state.SeenReads = reads;
            state.HeardAt = now;
        }
        else if (now - state.HeardAt >= _timeout)
        {
            RelayLog.NoHeartbeatAnswer(_logger, state.LogName, _timeoutSpan.TotalSeconds);
            state.ClosingSince = now;
            session.CloseUnanswered(_timeoutSpan);
            return;
        }

        if (now >= state.NextPingAt)
        {
            state.NextPingAt = NextPing(now);
            Observe(session.TrySendPingAsync());
        }
    }

    /// <summary>A failed ping needs no handling here: the session's own pumps see the broken connection.</summary>
    private static void Observe(ValueTask<bool> ping)
    {
        if (ping.IsCompletedSuccessfully)
        {
            _ = ping.Result; // the usual case: a two-byte write into an idle socket
            return;
        }

        _ = ObserveAsync(ping);
    }

    private static async Task ObserveAsync(ValueTask<bool> ping)
    {
        try
        {
            await ping.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    /// <summary>Per session; touched only by the tick, which never runs twice at once.</summary>
    private sealed class State(string logName, long seenReads, long heardAt, long nextPingAt)
    {
        public string LogName { get; } = logName;

        public long SeenReads { get; set; } = seenReads;

        public long HeardAt { get; set; } = heardAt;

        public long NextPingAt { get; set; } = nextPingAt;

        public long? ClosingSince { get; set; }
    }
}
