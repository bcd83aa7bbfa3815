using Microsoft.Extensions.Logging;

namespace Websockify.Relay;

internal static partial class RelayLog
{
    [LoggerMessage(400, LogLevel.Information, "{Client}: connecting to: {Target}", EventName = "Connecting")]
    public static partial void Connecting(ILogger logger, string client, string target);

    [LoggerMessage(401, LogLevel.Warning, "{Client}: Failed to connect to {Target}: {Reason}", EventName = "ConnectFailed")]
    public static partial void ConnectFailed(ILogger logger, string client, string target, string reason);

    [LoggerMessage(402, LogLevel.Information, "{Client}: session ended: {Outcome}; {BytesToTarget} bytes to target, {BytesToClient} bytes to client, {Seconds:0.###} s",
        EventName = "SessionEnded")]
    public static partial void SessionEnded(ILogger logger, string client, RelayOutcome outcome, long bytesToTarget, long bytesToClient, double seconds);

    [LoggerMessage(403, LogLevel.Information, "{Client}: no target for this request, closing", EventName = "NoTarget")]
    public static partial void NoTarget(ILogger logger, string client);
}
