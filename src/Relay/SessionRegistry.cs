using System.Collections.Concurrent;

namespace Websockify.Relay;

/// <summary>The live sessions, so that shutdown can close each one and status can count them.</summary>
/// <param name="settler">Told of every start and end, to settle memory after a burst.</param>
internal sealed class SessionRegistry(MemorySettler? settler = null)
{
    private readonly ConcurrentDictionary<SessionRelay, byte> _sessions = new();

    public int Count => _sessions.Count;

    public void Add(SessionRelay session)
    {
        _sessions.TryAdd(session, 0);
        settler?.Changed();
    }

    public void Remove(SessionRelay session)
    {
        _sessions.TryRemove(session, out _);
        settler?.Changed();
    }

    public IReadOnlyList<SessionRelay> Snapshot() => _sessions.Keys.ToList();

    /// <summary>The live sessions, enumerated in place (no copy): for the once-a-second watchers.</summary>
    public IEnumerable<SessionRelay> Live => _sessions.Select(pair => pair.Key);
}
