using Microsoft.Extensions.Logging;

namespace Websockify.Relay;

internal static partial class RelayLog
{
    [LoggerMessage(402, LogLevel.Information, "{Client}: session ended: {Outcome}; {BytesToTarget} bytes to target, {BytesToClient} bytes to client, {Seconds:0.###} s",
        EventName = "SessionEnded")]
    public static partial void SessionEnded(ILogger logger, string client, RelayOutcome outcome, long bytesToTarget, long bytesToClient, double seconds);

    [LoggerMessage(405, LogLevel.Information, "{Client}: no answer to the heartbeat for {Seconds} s, closing", EventName = "NoHeartbeatAnswer")]
    public static partial void NoHeartbeatAnswer(ILogger logger, string client, double seconds);
}
