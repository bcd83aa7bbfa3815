namespace Websockify;

/// <summary>
/// Every bound the daemon puts on a client, a target or itself, in one place. The fixed caps are
/// constants; the time limits are values with documented defaults that the command line may change.
/// Each protects the daemon's memory or time from a peer that is slow, stuck or hostile.
/// </summary>
internal sealed record Limits
{
    /// <summary>Request line plus headers. Browsers send well under 2 KiB for an upgrade.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    public const int MaxHeaderCount = 64;

    /// <summary>What a lingering close reads and discards at most before it gives up on a peer.</summary>
    public const int MaxLingerDiscardBytes = 1024 * 1024;

    public static Limits Default { get; } = new();

    /// <summary>From accept to the 101 (or to a plain HTTP answer): first byte, TLS handshake and request head together.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Resolving and connecting to the target, all addresses together.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the client has to answer our close frame.</summary>
    public TimeSpan CloseHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the target has to finish after it got our FIN.</summary>
    public TimeSpan TargetDrainTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long sending a close frame may block on a client that does not read.</summary>
    public TimeSpan CloseSendTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a lingering close waits for the peer's FIN.</summary>
    public TimeSpan LingerTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long sessions get to finish their close handshake on shutdown before they are aborted.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(3);
}
