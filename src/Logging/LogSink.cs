using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// Where finished log messages go: stderr and, with <c>--log-file</c>, a file, with <c>--syslog</c> a
/// syslog server. Each message is escaped and capped once (<see cref="LogEscaper"/>), then queued to
/// one writer per destination, so a blocked stderr neither blocks the caller nor starves the others.
/// </summary>
internal sealed class LogSink : IDisposable
{
    /// <summary>A clean exit keeps its last lines; a stuck stderr cannot hold the exit up for longer.</summary>
    private static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(2);

    private const int ElementLoop = 40; // ELOOP: what O_NOFOLLOW answers for a symbolic link

    private readonly LogWriter _stderr;
    private readonly LogWriter? _file;
    private readonly FileStream? _fileStream;
    private readonly SyslogWriter? _syslog;
    private readonly TimeSpan _drainTimeout;
    private int _disposed;

    /// <param name="syslog">Not yet started; the sink starts it and owns it from here on.</param>
    /// <param name="json"><c>--log-format json</c>: stderr and the log file get JSON lines (syslog keeps its own framing).</param>
    public LogSink(Stream stderr, LogFormat stderrFormat, string? logFilePath, SyslogWriter? syslog = null, bool json = false)
        : this(stderr, stderrFormat, logFilePath, LogWriter.DefaultCapacityBytes, DefaultDrainTimeout, syslog, json)
    {
    }

    /// <summary>With a queue capacity and a drain timeout of the caller's choosing (tests).</summary>
    internal LogSink(Stream stderr, LogFormat stderrFormat, string? logFilePath, int capacityBytes, TimeSpan drainTimeout, SyslogWriter? syslog = null, bool json = false)
    {
        Json = json;
        if (json)
        {
            stderrFormat = stderrFormat == LogFormat.Journal ? LogFormat.JournalJson : LogFormat.Json;
        }

        _drainTimeout = drainTimeout;

        // Opened before any writer thread starts, so a file that cannot be opened leaves nothing running.
        if (logFilePath is not null)
        {
            // Never through a symbolic link: one planted at the path would aim the daemon's writes elsewhere.
            var handle = Interop.LibC.OpenForAppend(logFilePath, out var errno)
                ?? throw new IOException(errno == ElementLoop ? "it is a symbolic link" : Interop.LibC.Describe(errno));
            _fileStream = new FileStream(handle, FileAccess.Write, bufferSize: 0);
            _file = new LogWriter(_fileStream, json ? LogFormat.Json : LogFormat.Timestamped, "the log file", capacityBytes);
        }

        _stderr = new LogWriter(stderr, stderrFormat, "stderr", capacityBytes);

        // Its outages are told where the operator looks otherwise, never to syslog itself.
        _syslog = syslog;
        _syslog?.Start(WriteLocally);
    }

    /// <summary>Whether lines keep their named values (<c>--log-format json</c>).</summary>
    public bool Json { get; }

    /// <summary>Never blocks on a destination: queues the line, or drops and counts it when that queue is full.</summary>
    public void Write(LogLevel level, string message, EventId eventId = default, KeyValuePair<string, object?>[]? fields = null)
    {
        var entry = new LogEntry(DateTime.UtcNow, level, LogEscaper.Escape(message), eventId, fields);
        _stderr.Enqueue(entry);
        _file?.Enqueue(entry);
        _syslog?.Enqueue(entry);
    }

    private void WriteLocally(string message)
    {
        var entry = new LogEntry(DateTime.UtcNow, LogLevel.Warning, LogEscaper.Escape(message));
        _stderr.Enqueue(entry);
        _file?.Enqueue(entry);
    }

    /// <summary>Writes what is queued, waiting at most the drain timeout for all destinations together.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var deadline = DateTime.UtcNow + _drainTimeout;
        _stderr.Complete();
        _file?.Complete();
        _syslog?.Complete();
        _syslog?.WaitForDrain(deadline - DateTime.UtcNow);
        _stderr.WaitForDrain(deadline - DateTime.UtcNow);

        // A file whose writer is still stuck stays open: closing it under a write(2) gains nothing at exit.
        if (_file is not null && _file.WaitForDrain(deadline - DateTime.UtcNow))
        {
            _fileStream!.Dispose();
        }
    }
}
