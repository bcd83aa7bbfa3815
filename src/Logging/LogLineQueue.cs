namespace Websockify.Logging;

/// <summary>
/// The bounded queue in front of each log destination's own thread (<see cref="LogWriter"/>,
/// <see cref="SyslogWriter"/>): callers queue without ever blocking, a full queue drops the line and
/// counts it, and the writer learns how many were lost before each line it takes, so the count can be
/// reported in their place.
/// </summary>
internal sealed class LogLineQueue(int capacityBytes, int lineOverheadBytes)
{
    private readonly object _gate = new(); // Monitor.Wait needs a monitor, which Lock has not
    private readonly Queue<Queued> _queue = new();
    private int _queuedBytes;
    private long _droppedSinceLastQueued;
    private bool _writerWaiting;
    private bool _completing;

    /// <summary>Queues a line without ever blocking; drops and counts it when the queue is full.</summary>
    public void Enqueue(LogEntry entry)
    {
        var cost = entry.Text.Length + lineOverheadBytes;
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            if (_queuedBytes + cost > capacityBytes)
            {
                _droppedSinceLastQueued++;
                return;
            }

            _queue.Enqueue(new Queued(entry, cost, _droppedSinceLastQueued));
            _droppedSinceLastQueued = 0;
            _queuedBytes += cost;
            if (_writerWaiting)
            {
                Monitor.Pulse(_gate);
            }
        }
    }

    /// <summary>Stops taking lines; the writer finishes what is queued and exits.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completing = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>
    /// For the writer thread: waits for work and takes one batch (at least one line, then while both
    /// bounds hold), so the queue's bound holds even while a batch is stuck in its destination. False
    /// when completing and nothing is left.
    /// </summary>
    public bool Take(List<Queued> batch, int maxBytes, int maxLines, out long droppedAtEnd)
    {
        batch.Clear();
        droppedAtEnd = 0;
        lock (_gate)
        {
            while (_queue.Count == 0 && _droppedSinceLastQueued == 0 && !_completing)
            {
                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
            }

            var taken = 0;
            while (_queue.Count > 0 && (batch.Count == 0 || (batch.Count < maxLines && taken + _queue.Peek().Cost <= maxBytes)))
            {
                var queued = _queue.Dequeue();
                taken += queued.Cost;
                batch.Add(queued);
            }

            _queuedBytes -= taken;
            if (_queue.Count == 0)
            {
                // Drops only happen with a full queue, so these came after every line just taken.
                droppedAtEnd = _droppedSinceLastQueued;
                _droppedSinceLastQueued = 0;
            }

            return batch.Count > 0 || droppedAtEnd > 0;
        }
    }

    /// <summary>A queued line, with how many were dropped just before it.</summary>
    public readonly record struct Queued(LogEntry Entry, int Cost, long DroppedBefore);
}
