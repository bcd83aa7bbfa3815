namespace Websockify.Relay;

/// <summary>An observer factory that holds output for later (a recording writer): drained, bounded, when the daemon exits.</summary>
internal interface IDrainingObserverFactory : ISessionObserverFactory
{
    /// <summary>Writes out what is held, giving up after <paramref name="timeout"/>.</summary>
    void Drain(TimeSpan timeout);
}
