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

    /// <summary>
    /// A PROXY v2 header from a balancer, TLVs included (v1 has the spec's own 107 bytes). HAProxy's
    /// carry addresses, ALPN, the SNI name and TLS facts: far below this.
    /// </summary>
    public const int MaxProxyHeaderBytes = 4096;

    /// <summary>What a lingering close reads and discards at most before it gives up on a peer.</summary>
    public const int MaxLingerDiscardBytes = 1024 * 1024;

    /// <summary>Plain HTTP requests one connection may carry (keep-alive); the last answer says <c>Connection: close</c>.</summary>
    public const int MaxRequestsPerConnection = 1000;

    /// <summary>The web server's pooled buffer for streaming a file: memory per download is this, whatever the file's size.</summary>
    public const int FileBufferBytes = 64 * 1024;

    /// <summary>Names a directory listing shows at most (a huge directory must not build a huge page).</summary>
    public const int MaxListingEntries = 10_000;

    /// <summary>
    /// <c>--record</c>: bytes of one session waiting to be written (a client message being put together
    /// included). Beyond it that session's recording stops; the relay never waits for the disk.
    /// </summary>
    public const int RecordSessionQueueBytes = 1024 * 1024;

    /// <summary><c>--record</c>: bytes of all sessions together waiting to be written.</summary>
    public const int RecordTotalQueueBytes = 64 * 1024 * 1024;

    /// <summary><c>--traffic</c>: characters waiting for stdout; more are dropped.</summary>
    public const int TrafficQueueBytes = 64 * 1024;

    /// <summary>On exit, how long queued recordings (and traffic characters) may take to reach their files.</summary>
    public static readonly TimeSpan ObserverDrainTimeout = TimeSpan.FromSeconds(2);

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

    /// <summary>
    /// How long one write of a file's body may wait for a client that does not read. A download as a
    /// whole has no limit (a large file on a slow link takes long); a stalled one is dropped.
    /// </summary>
    public TimeSpan WebSendStallTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one write to a session's client may wait (<c>--send-timeout</c>): a client that stopped
    /// reading while we have data or a pong for it is then dropped, and its target connection with it.
    /// Checked once a second, so the drop comes up to a second later.
    /// </summary>
    public TimeSpan SendTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Connections open at once, in the handshake or in a session (<c>--max-connections</c>); past it a
    /// new connection is closed as soon as it is accepted. Each session takes two fds: the default stays
    /// within the 20,000-fd hard limit common on such machines. 0: no limit.
    /// </summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>
    /// The same, per client address (<c>--max-connections-per-ip</c>). 0 (the default): no limit, since
    /// behind a reverse proxy every client has the proxy's address.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; }

    /// <summary>Wrapped program starts within a minute in respawn mode (<c>--max-respawns</c>); past it the daemon exits 1. 0: no limit.</summary>
    public int MaxRespawnsPerMinute { get; init; } = 20;

    /// <summary>Sockets systemd (or inetd) may pass; more is a start-up error: each listener gets an accept loop.</summary>
    public const int MaxPassedSockets = 64;

    /// <summary>At most one log line per this interval about refused connections; the line counts those in between.</summary>
    public static readonly TimeSpan RefusalLogInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// <c>--drain-timeout</c>: on SIGTERM, how long open sessions may go on (nothing new accepted, health
    /// 503) before they are closed with 1001. Zero (the default, as upstream): closed at once.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>How long sessions get to finish their close handshake on shutdown before they are aborted.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(3);
}
