using Websockify.Connections;

namespace Websockify.Relay;

/// <summary>Which way payload went: client to target (upload) or target to client.</summary>
internal enum PayloadDirection
{
    ToTarget,
    ToClient,
}

/// <summary>
/// Watches one session: <c>--record</c>, <c>--traffic</c> and metrics plug in here. Called on the relay's
/// own path, so an observer must not block: it copies or counts and returns. <paramref name="timestamp"/>
/// values are <see cref="TimeProvider.GetTimestamp"/> of the daemon's clock.
/// </summary>
internal interface ISessionObserver
{
    /// <summary>
    /// Bytes that were just delivered (sent to the target, or framed and sent to the client). To the
    /// client each call is one whole message. To the target a call may be a piece of a client message
    /// (large frames stream through in pieces, fragmented messages frame by frame):
    /// <paramref name="endOfMessage"/> marks its last piece, which may be empty (an empty message, or an
    /// empty final fragment).
    /// </summary>
    void OnPayload(PayloadDirection direction, ReadOnlySpan<byte> payload, bool endOfMessage, long timestamp);

    void OnEnded(SessionSummary summary);
}

/// <summary>Opens an observer for each session that starts; null when this one is not watched.</summary>
internal interface ISessionObserverFactory
{
    ISessionObserver? OnStarted(ConnectionContext connection, long timestamp);
}

/// <summary>How a session ended, with its byte counts and its end time.</summary>
internal sealed record SessionSummary(RelayOutcome Outcome, long BytesToTarget, long BytesToClient, long EndedAt);
