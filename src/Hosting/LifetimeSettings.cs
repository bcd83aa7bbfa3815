namespace Websockify.Hosting;

/// <summary>Upstream's <c>--timeout</c>, <c>--idle-timeout</c> (whole seconds; null: off) and <c>--run-once</c>.</summary>
internal sealed record LifetimeSettings(int? TimeoutSeconds, int? IdleTimeoutSeconds, bool RunOnce)
{
    public static LifetimeSettings Forever { get; } = new(null, null, false);

    public bool EndsOnItsOwn => TimeoutSeconds is not null || IdleTimeoutSeconds is not null || RunOnce;
}
