using Websockify.Connections;

namespace Websockify.Targets;

/// <summary>
/// Chooses the target for an accepted upgrade. Resolution happens per connection, with the parsed
/// request in the context, so that token plugins (target from <c>?token=</c>) replace the fixed target
/// without touching the data path.
/// </summary>
internal interface ITargetResolver
{
    ValueTask<TargetResolution> ResolveAsync(ConnectionContext connection, CancellationToken cancellationToken);

    /// <summary>
    /// Connecting to <paramref name="failed"/> failed: another target to try once, or null to give up
    /// (close 1011). A respawned wrapped program gets a new port, for instance.
    /// </summary>
    ValueTask<TargetEndpoint?> RetryAfterConnectFailureAsync(TargetEndpoint failed, CancellationToken cancellationToken) =>
        ValueTask.FromResult<TargetEndpoint?>(null);

    /// <summary>For the start-up banner and status: <c>127.0.0.1:5900</c>, or a description of the plugin.</summary>
    string Describe();
}
