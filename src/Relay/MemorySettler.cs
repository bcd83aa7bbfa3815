namespace Websockify.Relay;

/// <summary>
/// One aggressive collection (compacting, and handing the freed regions back to the kernel at once)
/// after a burst of sessions starting or ending, once it has gone quiet. The GC collects when
/// allocations ask for it, and a daemon holding thousands of idle sessions allocates nothing: the
/// burst's garbage (handshakes, logs) and its half-filled regions would stay committed. Measured at
/// 9,000 idle sessions: 11.8 KiB per session without, 7.7 with a forced compacting collection (whose
/// freed regions are decommitted only later), 5.4 with an aggressive one. Armed only by churn: an
/// idle daemon never wakes.
/// </summary>
internal sealed class MemorySettler : IDisposable
{
    /// <summary>Sessions started or ended since the last collection that make one worth its pause.</summary>
    public const int Churn = 256;

    /// <summary>
    /// No session started or ended in a whole spell this long (checked once per spell): the burst is over,
    /// and memory settles within a second of its end. Churn, not time, bounds how often it collects.
    /// </summary>
    public static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private readonly Action _collect;
    private readonly ITimer _timer;
    private long _changes;
    private long _seen;
    private long _collectedAt;
    private int _armed;

    public MemorySettler(TimeProvider time, Action? collect = null)
    {
        _collect = collect ?? (() => GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true));
        _timer = time.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>A session started or ended: one interlocked add; the timer is armed by the first change only.</summary>
    public void Changed()
    {
        Interlocked.Increment(ref _changes);
        if (Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            _seen = Volatile.Read(ref _changes);
            _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        var now = Volatile.Read(ref _changes);
        if (now != _seen)
        {
            _seen = now; // still busy: look again after another quiet spell
            _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
            return;
        }

        if (now - _collectedAt >= Churn)
        {
            _collectedAt = now;
            _collect();
        }

        Volatile.Write(ref _armed, 0);
        if (Volatile.Read(ref _changes) != now && Interlocked.CompareExchange(ref _armed, 1, 0) == 0)
        {
            _seen = Volatile.Read(ref _changes); // a change raced the disarm: keep watching
            _timer.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }
}
