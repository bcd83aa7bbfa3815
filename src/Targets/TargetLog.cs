using Microsoft.Extensions.Logging;

namespace Websockify.Targets;

internal static partial class TargetLog
{
    [LoggerMessage(400, LogLevel.Information, "{Client}: connecting to: {Target}", EventName = "Connecting")]
    public static partial void Connecting(ILogger logger, string client, string target);

    /// <summary>Upstream's wording for a Unix target (<c>--unix-target</c>).</summary>
    [LoggerMessage(404, LogLevel.Information, "{Client}: connecting to unix socket: {Path}", EventName = "ConnectingUnix")]
    public static partial void ConnectingUnix(ILogger logger, string client, string path);

    [LoggerMessage(401, LogLevel.Warning, "{Client}: Failed to connect to {Target}: {Reason}", EventName = "ConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string client, string target, string reason);

    [LoggerMessage(403, LogLevel.Information, "{Client}: no target for this request ({Reason}), closing", EventName = "NoTarget")]
    public static partial void NoTarget(ILogger logger, string client, string reason);

    [LoggerMessage(410, LogLevel.Warning, "--ssl-target-insecure: the target's certificate is not verified; anyone on the path to the target can read and change the session", EventName = "TargetNotVerified")]
    public static partial void TargetNotVerified(ILogger logger);

    [LoggerMessage(411, LogLevel.Information, "--ssl-target-cafile '{Path}': trusting {Count} certificate(s) for the target instead of the system store", EventName = "TargetCaLoaded")]
    public static partial void TargetCaLoaded(ILogger logger, string path, int count);
}
