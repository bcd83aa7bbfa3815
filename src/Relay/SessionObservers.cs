using Websockify.Connections;

namespace Websockify.Relay;

/// <summary>
/// The observers attached at start-up, opened together for each session. With none attached
/// <see cref="Open"/> returns null and the relay makes no call and reads no clock: it costs nothing.
/// </summary>
internal sealed class SessionObservers(IReadOnlyList<ISessionObserverFactory> factories)
{
    public static SessionObservers None { get; } = new([]);

    public ISessionObserver? Open(ConnectionContext connection, long timestamp)
    {
        if (factories.Count == 0)
        {
            return null;
        }

        var opened = new List<ISessionObserver>(factories.Count);
        foreach (var factory in factories)
        {
            if (factory.OnStarted(connection, timestamp) is { } observer)
            {
                opened.Add(observer);
            }
        }

        return opened.Count switch
        {
            0 => null,
            1 => opened[0],
            _ => new Fanout(opened),
        };
    }

    /// <summary>The exit, after the last session ended: observers that hold output write it out, all within <paramref name="timeout"/>.</summary>
    public void Drain(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        foreach (var factory in factories)
        {
            if (factory is IDrainingObserverFactory draining)
            {
                draining.Drain(deadline - DateTime.UtcNow);
            }
        }
    }

    private sealed class Fanout(List<ISessionObserver> observers) : ISessionObserver
    {
        public void OnPayload(PayloadDirection direction, ReadOnlySpan<byte> payload, bool endOfMessage, long timestamp)
        {
            foreach (var observer in observers)
            {
                observer.OnPayload(direction, payload, endOfMessage, timestamp);
            }
        }

        public void OnEnded(SessionSummary summary)
        {
            foreach (var observer in observers)
            {
                observer.OnEnded(summary);
            }
        }
    }
}
