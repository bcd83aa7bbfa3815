using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// One log line as queued: when it was logged (UTC, cheap to read) and its already escaped text.
/// Formatting, local time included, waits for the writer thread, off the socket threads that log.
/// </summary>
internal readonly record struct LogEntry(DateTime UtcTime, LogLevel Level, string Text)
{
    /// <summary>The whole line, newline included, in <paramref name="format"/>.</summary>
    public string Format(LogFormat format) => format == LogFormat.Journal
        ? $"<{SyslogSeverity.Of(Level)}>{Text}\n"
        : $"{UtcTime.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {LevelName(Level)} {Text}\n";

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}
