using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// One log line as queued: when it was logged (UTC, cheap to read) and its already escaped text.
/// Formatting, local time included, waits for the writer thread, off the socket threads that log.
/// </summary>
/// <param name="Fields">The message's named values, as logged (kept only for <c>--log-format json</c>).</param>
internal readonly record struct LogEntry(DateTime UtcTime, LogLevel Level, string Text, EventId Event = default, KeyValuePair<string, object?>[]? Fields = null)
{
    /// <summary>The whole line, newline included, in <paramref name="format"/>.</summary>
    public string Format(LogFormat format) => format switch
    {
        LogFormat.Journal => $"<{SyslogSeverity.Of(Level)}>{Text}\n",
        LogFormat.Json => JsonLogLine.Format(this) + "\n",
        LogFormat.JournalJson => $"<{SyslogSeverity.Of(Level)}>{JsonLogLine.Format(this)}\n",
        _ => $"{UtcTime.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} {LevelName(Level)} {Text}\n",
    };

    internal static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        LogLevel.Error => "ERROR",
        _ => "CRITICAL",
    };
}
