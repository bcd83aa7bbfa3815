using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// The syslog destination, like <see cref="LogWriter"/>: a bounded queue and a thread of its own, so a
/// log server that is down, slow or absent never holds up a caller. Every line is one datagram, sent
/// without blocking. A full queue, a full socket buffer or a failed send drops the line and counts it;
/// the count goes to syslog in the lines' place once sending works again. A failed send also reports
/// the outage through <c>reportOutage</c> (stderr and the log file), once: the outage counts as over
/// only after <see cref="OutageQuiet"/> without failures, because over UDP a refused datagram shows up
/// as ECONNREFUSED on the next send, and every other send still goes out while nobody listens.
/// </summary>
internal sealed class SyslogWriter
{
    public static readonly TimeSpan OutageQuiet = TimeSpan.FromSeconds(60);

    /// <summary>Counted per queued line on top of its text.</summary>
    private const int LineOverheadBytes = 100;

    /// <summary>Lines taken per visit to the queue.</summary>
    private const int BatchLines = 64;

    /// <summary>As <see cref="LogWriter"/>: a busy daemon wakes this thread about once a millisecond, not once a line.</summary>
    private static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(1);

    private readonly object _gate = new(); // Monitor.Wait needs a monitor, which Lock has not
    private readonly Queue<Queued> _queue = new();
    private readonly ISyslogTransport _transport;
    private readonly SyslogFormatter _formatter;
    private readonly TimeProvider _time;
    private readonly int _capacityBytes;
    private readonly byte[] _datagram;
    private readonly Thread _thread;
    private Action<string> _reportOutage = _ => { };
    private int _queuedBytes;
    private long _droppedSinceLastQueued;
    private bool _writerWaiting;
    private bool _completing;

    // The writer thread's own state.
    private long _unreported;
    private bool _inOutage;
    private long _lastFailure;

    public SyslogWriter(ISyslogTransport transport, SyslogFormatter formatter, TimeProvider time, int capacityBytes = LogWriter.DefaultCapacityBytes)
    {
        _transport = transport;
        _formatter = formatter;
        _time = time;
        _capacityBytes = capacityBytes;
        _datagram = new byte[formatter.MaxBytes];
        _thread = new Thread(Run) { IsBackground = true, Name = "log writer (syslog)" };
    }

    public string Description => _transport.Description;

    /// <summary>Starts the thread; <paramref name="reportOutage"/> is called on it, once per outage.</summary>
    public void Start(Action<string> reportOutage)
    {
        _reportOutage = reportOutage;
        _thread.Start();
    }

    /// <summary>Queues a line without ever blocking on the server; drops and counts it when the queue is full.</summary>
    public void Enqueue(LogEntry entry)
    {
        var cost = entry.Text.Length + LineOverheadBytes;
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            if (_queuedBytes + cost > _capacityBytes)
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

    /// <summary>Stops taking lines; the writer sends what is queued and exits.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completing = true;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>True when everything queued was sent (or dropped) within the timeout; then the socket is closed.</summary>
    public bool WaitForDrain(TimeSpan timeout)
    {
        if (_thread.ThreadState.HasFlag(ThreadState.Unstarted))
        {
            _transport.Dispose();
            return true;
        }

        if (!_thread.Join(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout))
        {
            return false;
        }

        _transport.Dispose();
        return true;
    }

    private void Run()
    {
        var batch = new List<Queued>(BatchLines);
        while (Take(batch, out var droppedAtEnd))
        {
            foreach (var queued in batch)
            {
                _unreported += queued.DroppedBefore;
                SendNoticeIfDropped();
                if (!Send(queued.Entry))
                {
                    _unreported++;
                }
            }

            _unreported += droppedAtEnd;
            SendNoticeIfDropped();
            Thread.Sleep(CoalesceDelay);
        }
    }

    private bool Take(List<Queued> batch, out long droppedAtEnd)
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

            while (_queue.Count > 0 && batch.Count < BatchLines)
            {
                var queued = _queue.Dequeue();
                _queuedBytes -= queued.Cost;
                batch.Add(queued);
            }

            if (_queue.Count == 0)
            {
                // Drops only happen with a full queue, so these came after every line just taken.
                droppedAtEnd = _droppedSinceLastQueued;
                _droppedSinceLastQueued = 0;
            }

            return batch.Count > 0 || droppedAtEnd > 0;
        }
    }

    /// <summary>The count of lost lines, sent before the next line; kept for later when it cannot be sent either.</summary>
    private void SendNoticeIfDropped()
    {
        if (_unreported == 0)
        {
            return;
        }

        var count = _unreported;
        var notice = new LogEntry(
            _time.GetUtcNow().UtcDateTime,
            LogLevel.Warning,
            string.Create(CultureInfo.InvariantCulture, $"{count} log {(count == 1 ? "line" : "lines")} dropped: the syslog server was not accepting them"));
        if (Send(notice))
        {
            _unreported = 0;
        }
    }

    private bool Send(LogEntry entry)
    {
        var length = _formatter.Format(entry, _datagram);
        var result = _transport.Send(_datagram.AsSpan(0, length), out var failure);
        var now = _time.GetTimestamp();
        switch (result)
        {
            case SyslogSendResult.Sent:
                if (_inOutage && _time.GetElapsedTime(_lastFailure, now) >= OutageQuiet)
                {
                    _inOutage = false;
                }

                return true;
            case SyslogSendResult.Failed:
                _lastFailure = now;
                if (!_inOutage)
                {
                    _inOutage = true;
                    _reportOutage($"syslog server {_transport.Description} is not accepting log lines ({failure}); they are dropped, and counted, until it does");
                }

                return false;
            default:
                return false;
        }
    }

    private readonly record struct Queued(LogEntry Entry, int Cost, long DroppedBefore);
}
