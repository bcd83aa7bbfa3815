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

    private readonly LogLineQueue _queue;
    private readonly ISyslogTransport _transport;
    private readonly SyslogFormatter _formatter;
    private readonly TimeProvider _time;
    private readonly byte[] _datagram;
    private readonly Thread _thread;
    private Action<string> _reportOutage = _ => { };

    // The writer thread's own state.
    private long _unreported;
    private bool _inOutage;
    private long _lastFailure;

    public SyslogWriter(ISyslogTransport transport, SyslogFormatter formatter, TimeProvider time, int capacityBytes = LogWriter.DefaultCapacityBytes)
    {
        _transport = transport;
        _formatter = formatter;
        _time = time;
        _queue = new LogLineQueue(capacityBytes, LineOverheadBytes);
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
    public void Enqueue(LogEntry entry) => _queue.Enqueue(entry);

    /// <summary>Stops taking lines; the writer sends what is queued and exits.</summary>
    public void Complete() => _queue.Complete();

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
        var batch = new List<LogLineQueue.Queued>(BatchLines);
        while (_queue.Take(batch, int.MaxValue, BatchLines, out var droppedAtEnd))
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
}
