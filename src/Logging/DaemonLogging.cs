using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>The daemon's loggers: stderr (journal framing when it is the journal) and <c>--log-file</c>; <c>-v</c> adds debug lines.</summary>
internal static class DaemonLogging
{
    /// <exception cref="IOException">The log file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The log file may not be written.</exception>
    public static SinkLoggerFactory Create(string? logFile, bool verbose)
    {
        var format = JournalDetector.StderrIsJournal(Environment.GetEnvironmentVariable("JOURNAL_STREAM")) ? LogFormat.Journal : LogFormat.Timestamped;
        return new SinkLoggerFactory(new LogSink(Console.OpenStandardError(), format, logFile), verbose ? LogLevel.Debug : LogLevel.Information);
    }
}
