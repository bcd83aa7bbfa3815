namespace Websockify.Relay;

/// <summary>
/// The send timeout: a client that stops reading while we have data (or a pong) for it is dropped
/// once one write has waited <see cref="Limits.SendTimeout"/>, instead of holding its buffers and its
/// target connection for ever; likewise a target that stops reading (the client then gets 1011). One timer, ticking once a second, visits every session and compares
/// the number of the write in progress with what it saw before: no clock read on the data path, and
/// a write counts as stuck only while it is the same write (a busy client that reads slowly is fine).
/// A write is timed from the first tick that sees it, so it is dropped after the timeout plus at most
/// one tick. The session's end line says why (<see cref="RelayEnd.SendTimeout"/>).
/// </summary>
internal sealed class SendWatchdog : IDisposable
{
    public static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    /// <summary>Not a write number (they count up from 1): the session was closed by us.</summary>
    private const long GaveUp = -1;

    private readonly Func<IEnumerable<ISendWatched>> _sessions;
    private readonly long _timeout;
    private readonly TimeSpan _timeoutSpan;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private int _ticking;

    public SendWatchdog(Func<IEnumerable<ISendWatched>> sessions, TimeSpan timeout, TimeProvider time)
    {
        _sessions = sessions;
        _timeoutSpan = timeout;
        _timeout = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        _time = time;
        _timer = time.CreateTimer(_ => OnTick(), null, Tick, Tick);
    }

    public void Dispose() => _timer.Dispose();

    private void OnTick()
    {
        if (Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return; // a tick that outlasted the period is not run twice at once
        }

        try
        {
            var now = _time.GetTimestamp();
            foreach (var session in _sessions())
            {
                Visit(session, now);
            }
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void Visit(ISendWatched session, long now)
    {
        if (Stalled(ref session.ClientWatch, session.PendingClientWrite, now))
        {
            session.CloseStalledClient(_timeoutSpan);
        }
        else if (Stalled(ref session.TargetWatch, session.PendingTargetWrite, now))
        {
            session.CloseStalledTarget(_timeoutSpan);
        }
    }

    /// <summary>True once, when the same write has been pending for the timeout; a new write starts the count again.</summary>
    private bool Stalled(ref SendWatch watch, long pending, long now)
    {
        if (watch.Write == GaveUp)
        {
            return false; // closed already: the session leaves the registry once its pumps have ended
        }

        if (pending == 0 || pending != watch.Write)
        {
            watch.Write = pending; // nothing in progress, or a new write since the last look
            watch.Since = now;
            return false;
        }

        if (now - watch.Since < _timeout)
        {
            return false;
        }

        watch.Write = GaveUp;
        return true;
    }
}
