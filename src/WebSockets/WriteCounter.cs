namespace Websockify.WebSockets;

/// <summary>
/// Writes to the client, counted as begun and finished, so that the send watchdog (on its timer
/// thread) can see a write that does not finish: the data path pays two plain stores, no clock read.
/// A mutable struct held in a field of its writer: no allocation per session.
/// </summary>
internal struct WriteCounter
{
    private long _begun;
    private long _finished;

    /// <summary>The number of the write in progress, or 0 when none is.</summary>
    public readonly long Pending
    {
        get
        {
            var begun = Volatile.Read(in _begun);
            return Volatile.Read(in _finished) == begun ? 0 : begun;
        }
    }

    /// <summary>Called under the writer's lock, before the write.</summary>
    public void Begin() => Volatile.Write(ref _begun, _begun + 1);

    /// <summary>Called under the writer's lock, after the write (also when it failed).</summary>
    public void End() => Volatile.Write(ref _finished, _begun);
}
