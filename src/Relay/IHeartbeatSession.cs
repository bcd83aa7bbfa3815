namespace Websockify.Relay;

/// <summary>What the heartbeat needs of a session: <see cref="SessionRelay"/>, or a fake in tests.</summary>
internal interface IHeartbeatSession
{
    /// <summary>Grows whenever the client sent anything; unchanged means silence.</summary>
    long ClientReads { get; }

    /// <summary>An empty ping, unless a frame is being written at this moment; never waits.</summary>
    ValueTask<bool> TrySendPingAsync();

    /// <summary>Close frame to the client, FIN to the target: the session then ends as usual.</summary>
    void CloseUnanswered(TimeSpan silence);

    /// <summary>Both connections dropped: for a session that did not end after <see cref="CloseUnanswered"/>.</summary>
    void Abort();
}
