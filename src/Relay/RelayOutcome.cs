namespace Websockify.Relay;

/// <summary>Why a session ended; one per session, for the log line and the tests.</summary>
internal enum RelayEnd
{
    /// <summary>The target closed its side (EOF); the client was sent 1000 "Target closed".</summary>
    TargetClosed,

    /// <summary>The client sent a close frame; it was echoed and the target got a FIN.</summary>
    ClientClosed,

    /// <summary>The client broke the protocol; it was sent 1002, 1003 or 1007.</summary>
    ClientProtocolError,

    /// <summary>The client's connection dropped without a close frame.</summary>
    ClientDisconnected,

    /// <summary>Reading from or writing to the target failed (reset); the client was sent 1011.</summary>
    TargetError,

    /// <summary>The client answered nothing for the heartbeat timeout; it was sent 1001 and the target a FIN.</summary>
    HeartbeatTimeout,

    /// <summary>The client stopped reading: one write to it waited the send timeout; both connections were dropped.</summary>
    SendTimeout,

    /// <summary>The target stopped reading: one write to it waited the send timeout; it was dropped and the client sent 1011.</summary>
    TargetSendTimeout,
}

internal sealed record RelayOutcome(RelayEnd End, string Detail)
{
    public override string ToString() => Detail.Length == 0 ? End.ToString() : $"{End} ({Detail})";
}
