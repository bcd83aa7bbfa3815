using Microsoft.Extensions.Logging;

namespace Websockify.Listening;

internal static partial class ListeningLog
{
    [LoggerMessage(100, LogLevel.Warning, "accept failed: {Error}; retrying in {DelayMs} ms", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, string error, int delayMs);

    [LoggerMessage(105, LogLevel.Information, "{Client}: handshake not completed within {Seconds} s, closing", EventName = "HandshakeTimeout")]
    public static partial void HandshakeTimeout(ILogger logger, string client, double seconds);

    [LoggerMessage(106, LogLevel.Debug, "{Client}: connection closed before a complete request", EventName = "ClosedBeforeRequest")]
    public static partial void ClosedBeforeRequest(ILogger logger, string client);

    [LoggerMessage(108, LogLevel.Debug, "{Client}: connection failed during handshake: {Reason}", EventName = "HandshakeIoError")]
    public static partial void HandshakeIoError(ILogger logger, string client, string reason);
}
