using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>syslog severities, as Python's SysLogHandler maps its levels and as sd-daemon(3) reads them.</summary>
internal static class SyslogSeverity
{
    /// <summary>7 debug, 6 info, 4 warning, 3 error, 2 critical.</summary>
    public static int Of(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };
}
