using Websockify.Connections;

namespace Websockify.Targets;

/// <summary>The positional <c>target_addr:target_port</c>: every session goes to the same place.</summary>
internal sealed class FixedTargetResolver(TargetEndpoint target) : ITargetResolver
{
    private readonly TargetResolution _resolution = TargetResolution.To(target);

    public ValueTask<TargetResolution> ResolveAsync(ConnectionContext connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_resolution);

    public string Describe() => target.ToString();
}
