using Microsoft.Extensions.Logging;

namespace Websockify.Hosting;

internal static partial class HostingLog
{
    [LoggerMessage(600, LogLevel.Information, "{Line}", EventName = "Banner")]
    public static partial void Banner(ILogger logger, string line);

    [LoggerMessage(601, LogLevel.Information, "Stopping ({Reason}): closing {Sessions} session(s) with 1001", EventName = "ShuttingDown")]
    public static partial void ShuttingDown(ILogger logger, string reason, int sessions);

    [LoggerMessage(602, LogLevel.Warning, "{Sessions} session(s) did not close in time, aborting them", EventName = "AbortingSessions")]
    public static partial void AbortingSessions(ILogger logger, int sessions);

    [LoggerMessage(603, LogLevel.Error, "unexpected error in connection from {Client}", EventName = "ConnectionCrashed")]
    public static partial void ConnectionCrashed(ILogger logger, string client, Exception exception);

    [LoggerMessage(604, LogLevel.Error, "Reloading {What} failed unexpectedly: {Reason}; keeping the current one", EventName = "ReloadCrashed")]
    public static partial void ReloadCrashed(ILogger logger, string what, string reason);

    /// <summary>Upstream's exact words ("listener exit due to --timeout 5"): log watchers grep for them.</summary>
    [LoggerMessage(605, LogLevel.Information, "{Reason}", EventName = "EndedOnItsOwn")]
    public static partial void EndedOnItsOwn(ILogger logger, string reason);

    [LoggerMessage(606, LogLevel.Warning, "refused {Count} connection(s) (the last from {Peer}), closed at once: {AtTotal} at --max-connections {MaxTotal}, {AtAddress} at --max-connections-per-ip {MaxPerAddress}; at most one such line a second",
        EventName = "ConnectionsRefused")]
    public static partial void ConnectionsRefused(ILogger logger, int count, string peer, int atTotal, int maxTotal, int atAddress, int maxPerAddress);

    [LoggerMessage(607, LogLevel.Information, "Draining ({Reason}): accepting no more; {Open} connection(s) may finish within --drain-timeout {Seconds} s (a second signal stops at once)", EventName = "Draining")]
    public static partial void Draining(ILogger logger, string reason, int open, double seconds);

    [LoggerMessage(608, LogLevel.Information, "Drain over: {How}; {Left} connection(s) left", EventName = "Drained")]
    public static partial void Drained(ILogger logger, string how, int left);
}
