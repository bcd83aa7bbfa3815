using Websockify.Http;

namespace Websockify.Targets;

/// <summary>The positional <c>target_addr:target_port</c>: every session goes to the same place.</summary>
internal sealed class FixedTargetResolver(TargetEndpoint target) : ITargetResolver
{
    public ValueTask<TargetEndpoint?> ResolveAsync(HttpRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<TargetEndpoint?>(target);

    public string Describe() => target.ToString();
}
