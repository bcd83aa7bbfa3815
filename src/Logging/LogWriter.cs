using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// One destination (stderr or the log file) behind a bounded queue, written by a thread of its own.
/// Socket completions log inline, so a write(2) that blocks (a pipe nobody reads, a paused terminal,
/// a stuck journal) must never be theirs: they only queue, and when the queue is full the line is
/// dropped and counted. The count is written, in the place of the missing lines, once writes go
/// through again. A dedicated thread, not the pool: a blocked write must not hold a pool thread.
/// </summary>
internal sealed class LogWriter
{
    /// <summary>Enough for bursts (a shutdown logs one line per session); bounded so a stuck reader costs little memory.</summary>
    public const int DefaultCapacityBytes = 256 * 1024;

    /// <summary>Writes of at most PIPE_BUF are atomic on a pipe, so batched lines still never tear.</summary>
    private const int BatchBytes = 4096;

    /// <summary>How long the writer waits after a write before it takes the next batch.</summary>
    private static readonly TimeSpan CoalesceDelay = TimeSpan.FromMilliseconds(1);

    /// <summary>Counted per queued line on top of its text: roughly the timestamp and level.</summary>
    private const int LineOverheadBytes = 40;

    private readonly LogLineQueue _queue;
    private readonly Stream _stream;
    private readonly LogFormat _format;
    private readonly string _destination;
    private readonly Thread _thread;
    private readonly byte[] _buffer = new byte[BatchBytes];

    // The writer thread's own state: the batch being built, and drops no written notice has reported yet.
    private int _pendingLength;
    private int _pendingLines;
    private long _pendingNotices;
    private long _unreported;

    /// <param name="destination">Names the destination in the dropped-lines notice ("stderr", "the log file").</param>
    public LogWriter(Stream stream, LogFormat format, string destination, int capacityBytes = DefaultCapacityBytes)
    {
        _stream = stream;
        _format = format;
        _destination = destination;
        _queue = new LogLineQueue(capacityBytes, LineOverheadBytes);
        _thread = new Thread(Run) { IsBackground = true, Name = $"log writer ({destination})" };
        _thread.Start();
    }

    /// <summary>Queues a line without ever blocking on the destination; drops and counts it when the queue is full.</summary>
    public void Enqueue(LogEntry entry) => _queue.Enqueue(entry);

    /// <summary>Stops taking lines; the writer finishes what is queued and exits.</summary>
    public void Complete() => _queue.Complete();

    /// <summary>True when everything queued was written (or failed) within the timeout.</summary>
    public bool WaitForDrain(TimeSpan timeout) => _thread.Join(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);

    private void Run()
    {
        var batch = new List<LogLineQueue.Queued>();
        while (_queue.Take(batch, BatchBytes, int.MaxValue, out var droppedAtEnd))
        {
            foreach (var queued in batch)
            {
                _unreported += queued.DroppedBefore;
                AppendNoticeIfDropped();
                Append(queued.Entry.Format(_format), isNotice: false);
            }

            _unreported += droppedAtEnd;
            AppendNoticeIfDropped();
            Flush();

            // Let lines gather before the next batch: a busy daemon (thousands of sessions a second)
            // then wakes this thread about once a millisecond instead of once a line.
            Thread.Sleep(CoalesceDelay);
        }
    }

    private LogEntry DroppedNotice(long count) => new(
        DateTime.UtcNow,
        LogLevel.Warning,
        string.Create(CultureInfo.InvariantCulture, $"{count} log {(count == 1 ? "line" : "lines")} dropped: {_destination} was not accepting writes"));

    private void AppendNoticeIfDropped()
    {
        if (_unreported > 0)
        {
            var count = _unreported;
            _unreported = 0;
            _pendingNotices += count;
            Append(DroppedNotice(count).Format(_format), isNotice: true);
        }
    }

    private void Append(string line, bool isNotice)
    {
        var length = Encoding.UTF8.GetByteCount(line);
        if (_pendingLength + length > _buffer.Length)
        {
            Flush();
        }

        if (!isNotice)
        {
            _pendingLines++;
        }

        if (length > _buffer.Length)
        {
            // Not from LogSink, whose lines are capped: written alone rather than refused.
            Flush(Encoding.UTF8.GetBytes(line));
            return;
        }

        _pendingLength += Encoding.UTF8.GetBytes(line, _buffer.AsSpan(_pendingLength));
    }

    /// <summary>Writes what is pending; a failed write's lines (and notices) count as dropped, for the next notice.</summary>
    private void Flush(byte[]? alone = null)
    {
        if (_pendingLength == 0 && alone is null)
        {
            return;
        }

        var bytes = alone is null ? _buffer.AsSpan(0, _pendingLength) : alone.AsSpan();
        if (!Write(bytes))
        {
            _unreported += _pendingLines + _pendingNotices;
        }

        _pendingLength = 0;
        _pendingLines = 0;
        _pendingNotices = 0;
    }

    /// <summary>A closed stderr or a full disk must not take the daemon down with it.</summary>
    private bool Write(ReadOnlySpan<byte> bytes)
    {
        try
        {
            _stream.Write(bytes);
            _stream.Flush();
            return true;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
        {
            return false;
        }
    }

}
