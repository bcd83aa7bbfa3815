using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>The daemon's loggers: stderr (journal framing when it is the journal), <c>--log-file</c> and <c>--syslog</c>; <c>-v</c> adds debug lines.</summary>
internal static class DaemonLogging
{
    /// <exception cref="IOException">The log file cannot be opened.</exception>
    /// <exception cref="UnauthorizedAccessException">The log file may not be written.</exception>
    /// <exception cref="SyslogSetupException">The syslog host does not resolve.</exception>
    public static SinkLoggerFactory Create(string? logFile, bool verbose, SyslogSettings? syslog = null, bool json = false)
    {
        var format = JournalDetector.StderrIsJournal(Environment.GetEnvironmentVariable("JOURNAL_STREAM")) ? LogFormat.Journal : LogFormat.Timestamped;
        var syslogWriter = syslog is null ? null : OpenSyslog(syslog);
        try
        {
            return new SinkLoggerFactory(new LogSink(Console.OpenStandardError(), format, logFile, syslogWriter, json), verbose ? LogLevel.Debug : LogLevel.Information);
        }
        catch
        {
            syslogWriter?.WaitForDrain(TimeSpan.Zero); // never started: closes the socket
            throw;
        }
    }

    private static SyslogWriter OpenSyslog(SyslogSettings settings)
    {
        var socket = SyslogSocket.Open(settings.Server);
        var formatter = new SyslogFormatter(settings.Framing, settings.Facility, System.Net.Dns.GetHostName(), Environment.ProcessId, socket.MaxDatagramBytes);
        return new SyslogWriter(socket, formatter, TimeProvider.System);
    }
}
