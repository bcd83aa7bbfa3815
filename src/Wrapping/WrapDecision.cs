namespace Websockify.Wrapping;

internal enum WrapAction
{
    KeepServing,
    Respawn,
    StopDaemon,
}

/// <summary>What to do after the wrapped program exited, by mode. Pure, so every case is unit-tested.</summary>
internal static class WrapDecision
{
    public static WrapAction After(WrapMode mode) => mode switch
    {
        WrapMode.Ignore => WrapAction.KeepServing,
        WrapMode.Respawn => WrapAction.Respawn,
        _ => WrapAction.StopDaemon,
    };
}
