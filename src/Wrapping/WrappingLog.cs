using Microsoft.Extensions.Logging;

namespace Websockify.Wrapping;

internal static partial class WrappingLog
{
    [LoggerMessage(800, LogLevel.Information, "Starting {Command} (pid {Pid})", EventName = "Started")]
    public static partial void Started(ILogger logger, string command, int pid);

    [LoggerMessage(801, LogLevel.Information, "Wrapped command {Command} (pid {Pid}) exited with status {Status}", EventName = "Exited")]
    public static partial void Exited(ILogger logger, string command, int pid, int status);

    [LoggerMessage(802, LogLevel.Warning, "Respawning {Command} in {Seconds} s", EventName = "Respawning")]
    public static partial void Respawning(ILogger logger, string command, double seconds);

    [LoggerMessage(803, LogLevel.Warning, "{Command} (process group {Pid}) ignored SIGTERM, sending SIGKILL", EventName = "Killing")]
    public static partial void Killing(ILogger logger, string command, int pid);

    [LoggerMessage(804, LogLevel.Information, "{Command} is listening on {Target}", EventName = "Listening")]
    public static partial void Listening(ILogger logger, string command, string target);

    [LoggerMessage(805, LogLevel.Error, "Cannot start {Command}: {Reason}", EventName = "LaunchFailed")]
    public static partial void LaunchFailed(ILogger logger, string command, string reason);

    [LoggerMessage(806, LogLevel.Error, "Cannot start {Command}: {Reason}; trying again in {Seconds} s", EventName = "LaunchFailedRetrying")]
    public static partial void LaunchFailedRetrying(ILogger logger, string command, string reason, double seconds);

    [LoggerMessage(807, LogLevel.Warning, "Ignoring a port report from process {Pid}, which is not part of the wrapped program: \"{Report}\"", EventName = "ForeignPortReport")]
    public static partial void ForeignPortReport(ILogger logger, int pid, string report);

    [LoggerMessage(808, LogLevel.Error, "{Command} needed more than {Max} restarts within a minute (--max-respawns): giving up, the daemon stops with status 1", EventName = "RespawnLimitReached")]
    public static partial void RespawnLimitReached(ILogger logger, string command, int max);
}
