namespace Websockify.Relay;

/// <summary>The send watchdog's note about one direction: the pending write it saw, and since when (its clock).</summary>
internal struct SendWatch
{
    public long Write;
    public long Since;
}

/// <summary>What the send watchdog needs of a session: <see cref="SessionRelay"/>, or a fake in tests.</summary>
internal interface ISendWatched
{
    /// <summary>The number of the write to the client in progress; 0 when none is.</summary>
    long PendingClientWrite { get; }

    /// <summary>The number of the write to the target in progress; 0 when none is.</summary>
    long PendingTargetWrite { get; }

    /// <summary>The watchdog's notes, kept in the session, so watching allocates nothing.</summary>
    ref SendWatch ClientWatch { get; }

    ref SendWatch TargetWatch { get; }

    /// <summary>A write to the client has not finished for <paramref name="waited"/>: drop both connections.</summary>
    void CloseStalledClient(TimeSpan waited);

    /// <summary>A write to the target has not finished for <paramref name="waited"/>: drop the target, 1011 to the client.</summary>
    void CloseStalledTarget(TimeSpan waited);
}
