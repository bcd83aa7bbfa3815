using Websockify.Auth;
using Websockify.Hosting;
using Websockify.Listening;
using Websockify.Logging;
using Websockify.Recording;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.Tls;
using Websockify.Tokens;
using Websockify.Web;
using Websockify.Wrapping;

namespace Websockify.Cli;

/// <summary>
/// Validated settings for one daemon run, built once at start-up from the command line. Each part is
/// its feature's own settings type; the command line only fills them in.
/// </summary>
internal sealed record ProxyOptions
{
    /// <summary>Null when the service manager (or inetd) passed the listening socket and none was named.</summary>
    public ListenSettings? Listen { get; init; }

    /// <summary><c>--unix-listen</c> (with <c>--unix-listen-mode</c>); null: no Unix listener.</summary>
    public UnixListenSettings? UnixListen { get; init; }

    /// <summary><c>--inetd</c>: fd 0 is the listening socket.</summary>
    public bool Inetd { get; init; }

    /// <summary><c>-D</c>: detach and return once listening.</summary>
    public bool Daemon { get; init; }

    public string? PidFile { get; init; }

    /// <summary>The fixed target: the positional, or <c>--unix-target</c>; null in wrap mode.</summary>
    public TargetEndpoint? Target { get; init; }

    /// <summary><c>--target-proxy-protocol</c>: the PROXY header every target connection opens with; null: none.</summary>
    public ProxyProtocolVersion? TargetProxyProtocol { get; init; }

    /// <summary><c>--ssl-target</c> (with <c>--ssl-target-cafile</c> or <c>--ssl-target-insecure</c>); null: plain target.</summary>
    public TargetTlsSettings? TargetTls { get; init; }

    /// <summary><c>--token-plugin</c> (or <c>--target-config</c>): each session's target comes from its token; null: the fixed target.</summary>
    public TokenSettings? Tokens { get; init; }

    /// <summary><c>--auth-plugin</c> (with <c>--web-auth</c>); null: every request may go on.</summary>
    public AuthSettings? Auth { get; init; }

    /// <summary>Set for <c>websockify PORT -- PROGRAM ARGS</c>.</summary>
    public WrapSettings? Wrap { get; init; }

    public bool Verbose { get; init; }

    public string? LogFile { get; init; }

    /// <summary><c>--log-format json</c>: one JSON object per line on stderr and in the log file.</summary>
    public bool JsonLogs { get; init; }

    /// <summary><c>--syslog</c> (with <c>--legacy-syslog</c>); null: no syslog.</summary>
    public SyslogSettings? Syslog { get; init; }

    public required TlsSettings Tls { get; init; }

    /// <summary><c>--web</c> (with <c>--file-only</c>); null: plain HTTP requests get 405.</summary>
    public WebSettings? Web { get; init; }

    public Limits Limits { get; init; } = Limits.Default;

    /// <summary><c>--timeout</c>, <c>--idle-timeout</c>, <c>--run-once</c>: when the server ends on its own.</summary>
    public LifetimeSettings Lifetime { get; init; } = LifetimeSettings.Forever;

    /// <summary><c>--record FILE</c>; null when off.</summary>
    public RecordSettings? Record { get; init; }

    /// <summary><c>--traffic</c>: per-frame characters on stdout.</summary>
    public bool Traffic { get; init; }

    /// <summary><c>--allow-hixie</c>, <c>--flash-policy</c>: the old protocols, each off unless named.</summary>
    public Legacy.LegacyProtocols Legacy { get; init; } = Websockify.Legacy.LegacyProtocols.None;

    /// <summary><c>--proxy-protocol</c>, <c>--trusted-proxy</c>: the client behind a balancer.</summary>
    public Net.ClientAddressSettings ClientAddresses { get; init; } = Net.ClientAddressSettings.Direct;

    /// <summary><c>--metrics HOST:PORT</c>: the metrics and health listener; null: off.</summary>
    public ListenSettings? Metrics { get; init; }

    /// <summary><c>--heartbeat</c>; null when off (upstream's 0).</summary>
    public HeartbeatSettings? Heartbeat { get; init; }
}
