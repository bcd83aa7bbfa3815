using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// Writes finished log lines to stderr and, with <c>--log-file</c>, appends them to a file. Each line is
/// one write(2) under a lock, so lines from concurrent sessions never interleave and nothing is queued.
/// </summary>
internal sealed class LogSink : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Stream _stderr;
    private readonly LogFormat _stderrFormat;
    private readonly FileStream? _file;

    public LogSink(Stream stderr, LogFormat stderrFormat, string? logFilePath)
    {
        _stderr = stderr;
        _stderrFormat = stderrFormat;
        if (logFilePath is not null)
        {
            _file = new FileStream(logFilePath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        }
    }

    public void Write(LogLevel level, string message)
    {
        var timestamped = Encoding.UTF8.GetBytes(
            $"{DateTime.Now.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {LevelName(level)} {message}\n");
        var forStderr = _stderrFormat == LogFormat.Journal
            ? Encoding.UTF8.GetBytes($"<{SyslogPriority(level)}>{message}\n")
            : timestamped;
        lock (_lock)
        {
            TryWrite(_stderr, forStderr);
            if (_file is not null)
            {
                TryWrite(_file, timestamped);
            }
        }
    }

    public void Dispose() => _file?.Dispose();

    /// <summary>A closed stderr or a full disk must not take a session down with it.</summary>
    private static void TryWrite(Stream stream, byte[] bytes)
    {
        try
        {
            stream.Write(bytes);
            stream.Flush();
        }
        catch (IOException)
        {
        }
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };

    /// <summary>sd-daemon(3) priorities: 7 debug, 6 info, 4 warning, 3 error, 2 critical.</summary>
    private static int SyslogPriority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };
}
