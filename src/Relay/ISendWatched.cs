namespace Websockify.Relay;

/// <summary>What the send watchdog needs of a session: <see cref="SessionRelay"/>, or a fake in tests.</summary>
internal interface ISendWatched
{
    /// <summary>The number of the write to the client in progress; 0 when none is.</summary>
    long PendingWrite { get; }

    /// <summary>The watchdog's own note: the pending write it saw, and since when (its clock). Kept in the session, so watching allocates nothing.</summary>
    long WatchedWrite { get; set; }

    long WatchedSince { get; set; }

    /// <summary>A write to the client has not finished for <paramref name="waited"/>: drop both connections.</summary>
    void CloseStalled(TimeSpan waited);
}
