using Websockify.Http;

namespace Websockify.Targets;

/// <summary>
/// A resolver's answer: the target, or a refusal. A refusal with an <see cref="HttpRejection"/> is
/// answered with it; without one the connection is closed with no answer, as upstream does.
/// </summary>
internal sealed record TargetResolution(TargetEndpoint? Target, string? RefusedBecause, HttpRejection? Rejection = null)
{
    public static TargetResolution To(TargetEndpoint target) => new(target, null);

    public static TargetResolution Refused(string reason, HttpRejection? rejection = null) => new(null, reason, rejection);
}
