using System.Globalization;
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

/// <summary>Turns tokenised arguments into <see cref="ProxyOptions"/>, with upstream's checks and messages.</summary>
internal static class OptionsBuilder
{
    /// <summary>Upstream's cross-option errors (websocketproxy.py), checked before anything else.</summary>
    private static readonly (string Needs, string Option)[] Dependencies =
    [
        ("token-plugin", "token-source"),
        ("token-plugin", "host-token"),
        ("auth-plugin", "auth-source"),
        ("auth-plugin", "web-auth"),
        ("web", "web-auth"),
        ("syslog", "legacy-syslog"),
        ("heartbeat", "heartbeat-timeout"),
        ("ssl-target", "ssl-target-cafile"),
        ("ssl-target", "ssl-target-insecure"),
        ("trusted-proxy", "proxy-protocol"),
    ];

    /// <param name="socketsPassed">The service manager passed listening sockets: the listen positional is optional.</param>
    /// <param name="credentialsDirectory">systemd's <c>$CREDENTIALS_DIRECTORY</c>, where the key password may be.</param>
    public static ProxyOptions Build(ParsedArguments args, string workingDirectory, Func<string, bool> fileExists, bool socketsPassed = false, string? credentialsDirectory = null)
    {
        foreach (var (needs, option) in Dependencies)
        {
            // --target-config is upstream's spelling of --token-plugin TokenFile: it satisfies the check as there.
            if (args.Has(option) && !args.Has(needs) && !(needs == "token-plugin" && args.Has("target-config")))
            {
                throw new CliUsageException($"You must use --{needs} to use --{option}");
            }
        }

        foreach (var name in args.OptionNames)
        {
            if (OptionTable.FindLong(name).Availability == OptionAvailability.NotSupportedYet)
            {
                throw new CliNotSupportedException($"websockify: --{name} is not supported yet");
            }
        }

        if (args.Has("libserver"))
        {
            throw new CliUsageException(
                "--libserver selects upstream's Python library server (no TLS, no plugins, no daemon mode); this websockify has one server, so leave the option out");
        }

        var inetd = args.Has("inetd");
        var tokens = BuildTokens(args, workingDirectory);
        var unixListen = BuildUnixListen(args, workingDirectory);
        var unixTarget = args.Value("unix-target") is { } unixPath ? UnixTarget(unixPath, workingDirectory) : null;
        if (unixTarget is not null && args.WrapCommand is not null)
        {
            throw new CliUsageException("--unix-target cannot be used with a wrapped program (the program is the target)");
        }

        // With --unix-listen the listen positional is optional (given: TCP as well), except in wrap mode, where
        // it names the port the program binds; with --unix-target or a token plugin there is no target positional.
        var (listen, target) = ParsePositionals(
            args, listenOptional: socketsPassed || inetd || (unixListen is not null && args.WrapCommand is null), targetGiven: unixTarget is null && tokens is null);
        var tls = BuildTls(args, workingDirectory, fileExists, credentialsDirectory);
        var targetTls = BuildTargetTls(args, workingDirectory);
        return new ProxyOptions
        {
            Listen = listen is null ? null : new ListenSettings(listen.Host, listen.Port, args.Has("prefer-ipv6")),
            UnixListen = unixListen,
            Target = unixTarget is { } unix
                ? TargetEndpoint.Unix(unix.UnixPath!, tls: targetTls is not null)
                : target is null ? null : TargetEndpoint.Tcp(target.Host!, target.Port, tls: targetTls is not null),
            TargetProxyProtocol = args.Value("target-proxy-protocol") is { } proxyProtocol ? ParseProxyProtocol(proxyProtocol) : null,
            TargetTls = targetTls,
            Tokens = tokens,
            Auth = args.Value("auth-plugin") is { } authPlugin
                ? BuildAuth(authPlugin, args, workingDirectory, credentialsDirectory, tls.VerifyClient)
                : null,
            Wrap = args.WrapCommand is { } command
                ? new WrapSettings(command, ParseWrapMode(args.Value("wrap-mode") ?? "exit"), args.Value("rebind-lib") is { } lib ? Path.GetFullPath(lib, workingDirectory) : null)
                : null,
            Inetd = inetd,
            Daemon = args.Has("daemon"),
            PidFile = args.Value("pid-file") is { } pidFile ? Path.GetFullPath(pidFile, workingDirectory) : null,
            Verbose = args.Has("verbose"),
            JsonLogs = args.Value("log-format") switch
            {
                null or "text" => false,
                "json" => true,
                var other => throw new CliUsageException($"option --log-format: invalid choice: '{other}' (choose from 'text', 'json')"),
            },
            LogFile = args.Value("log-file") is { } log ? Path.GetFullPath(log, workingDirectory) : null,
            Syslog = args.Value("syslog") is { } syslog
                ? new SyslogSettings(
                    SyslogServerSpec.Parse(syslog, workingDirectory),
                    args.Has("legacy-syslog") ? SyslogFraming.Legacy : SyslogFraming.Rfc5424,
                    args.Has("daemon") ? SyslogSettings.FacilityDaemon : SyslogSettings.FacilityUser)
                : null,
            Tls = tls,
            Web = BuildWeb(args, workingDirectory),
            Limits = BuildLimits(args),
            Heartbeat = BuildHeartbeat(args),
            ClientAddresses = BuildClientAddresses(args),
            Metrics = BuildMetrics(args, listen),
            Lifetime = new LifetimeSettings(OptionalSeconds(args, "timeout"), OptionalSeconds(args, "idle-timeout"), args.Has("run-once")),

            // Upstream's `if record:`: an empty FILE records nothing.
            Record = args.Value("record") is { Length: > 0 } record ? new RecordSettings(Path.GetFullPath(record, workingDirectory)) : null,
            Traffic = args.Has("traffic"),
            Legacy = new Legacy.LegacyProtocols(args.Has("allow-hixie"), args.Has("flash-policy")),
        };
    }

    /// <summary>
    /// <c>--token-plugin</c> and <c>--token-source</c>, or upstream's older <c>--target-config FILE</c>,
    /// which means <c>TokenFile</c> with that file and, as upstream, wins over <c>--token-plugin</c>.
    /// </summary>
    private static TokenSettings? BuildTokens(ParsedArguments args, string workingDirectory)
    {
        var (name, source) = args.Value("target-config") is { } config
            ? ("TokenFile", Path.GetFullPath(config, workingDirectory))
            : (args.Value("token-plugin"), args.Value("token-source"));
        if (name is null)
        {
            return null;
        }

        if (args.WrapCommand is not null)
        {
            throw new CliUsageException("--token-plugin cannot be used with a wrapped program (the program is the target)");
        }

        if (args.Has("unix-target"))
        {
            throw new CliUsageException("--token-plugin cannot be used with --unix-target (the plugin chooses each target; a token file can name unix_socket:PATH)");
        }

        var plugin = TokenPlugins.Find(name);
        return new TokenSettings(plugin.Name, plugin.Parse(source, workingDirectory), args.Has("host-token"));
    }

    private static AuthSettings BuildAuth(string name, ParsedArguments args, string workingDirectory, string? credentialsDirectory, bool verifyClient)
    {
        var plugin = AuthPlugins.Find(name);
        var create = plugin.Parse(new AuthSourceArguments(args.Value("auth-source"), workingDirectory, credentialsDirectory, verifyClient));
        return new AuthSettings(plugin.Name, create, args.Has("web-auth"));
    }

    /// <summary>Loopback unless a host is named: metrics tell an outsider more than they should know.</summary>
    private static ListenSettings? BuildMetrics(ParsedArguments args, HostPort? listen)
    {
        if (args.Value("metrics") is not { } spec)
        {
            return null;
        }

        HostPort where;
        try
        {
            where = HostPort.ParseListen(spec);
        }
        catch (CliUsageException ex)
        {
            throw new CliUsageException($"option --metrics: {ex.Message}");
        }

        if (where.Port != 0 && listen is not null && where.Port == listen.Port)
        {
            throw new CliUsageException($"option --metrics: port {where.Port} is the WebSocket port; metrics need a listener of their own");
        }

        return new ListenSettings(where.Host ?? "127.0.0.1", where.Port, args.Has("prefer-ipv6"));
    }

    private static Net.ClientAddressSettings BuildClientAddresses(ParsedArguments args)
    {
        if (args.Value("trusted-proxy") is not { } trusted)
        {
            return Net.ClientAddressSettings.Direct;
        }

        try
        {
            return new Net.ClientAddressSettings(args.Has("proxy-protocol"), Net.TrustedProxies.Parse(trusted));
        }
        catch (FormatException ex)
        {
            throw new CliUsageException($"option --trusted-proxy: {ex.Message}");
        }
    }

    /// <summary>Upstream's integer seconds, 0 = off; our pong timeout defaults to three missed beats.</summary>
    private static HeartbeatSettings? BuildHeartbeat(ParsedArguments args)
    {
        var interval = args.Value("heartbeat") is { } value ? ParseWholeSeconds("heartbeat", value) : 0;
        if (interval == 0)
        {
            return null;
        }

        var every = TimeSpan.FromSeconds(interval);
        var timeout = args.Value("heartbeat-timeout") is { } limit ? ParseSeconds("heartbeat-timeout", limit) : HeartbeatSettings.DefaultTimeout(every);
        return new HeartbeatSettings(every, timeout);
    }

    /// <summary>Upstream's integer timers, where 0 (the default) means off.</summary>
    private static int? OptionalSeconds(ParsedArguments args, string option) =>
        args.Value(option) is { } value && ParseWholeSeconds(option, value) is > 0 and var seconds ? seconds : null;

    /// <summary>optparse's <c>type="int"</c>, as upstream declares its timers; negative makes no sense for any of them.</summary>
    private static int ParseWholeSeconds(string option, string value) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 0 and <= 86400
            ? seconds
            : throw new CliUsageException($"option --{option}: invalid integer value: '{value}' (seconds, 0 to 86400)");

    /// <summary>DIR made absolute now: upstream chdirs into it, we keep the path (and -D's cwd / cannot change its meaning).</summary>
    private static WebSettings? BuildWeb(ParsedArguments args, string workingDirectory) =>
        args.Value("web") is { } web
            ? new WebSettings(web.Length == 0 ? "" : Path.GetFullPath(web, workingDirectory), args.Has("file-only"))
            : null;

    private static Limits BuildLimits(ParsedArguments args)
    {
        var limits = Limits.Default;
        if (args.Value("handshake-timeout") is { } handshake)
        {
            limits = limits with { HandshakeTimeout = ParseSeconds("handshake-timeout", handshake) };
        }

        if (args.Value("send-timeout") is { } send)
        {
            limits = limits with { SendTimeout = ParseSeconds("send-timeout", send) };
        }

        if (args.Value("drain-timeout") is { } drain && drain != "0")
        {
            limits = limits with { DrainTimeout = ParseSeconds("drain-timeout", drain) };
        }

        return limits with
        {
            MaxConnections = ParseCount(args, "max-connections", limits.MaxConnections),
            MaxConnectionsPerAddress = ParseCount(args, "max-connections-per-ip", limits.MaxConnectionsPerAddress),
            MaxRespawnsPerMinute = ParseCount(args, "max-respawns", limits.MaxRespawnsPerMinute),
        };
    }

    /// <summary>A count limit: a whole number from 0 (no limit) to a million, or the default when the option is absent.</summary>
    private static int ParseCount(ParsedArguments args, string option, int fallback) => args.Value(option) switch
    {
        null => fallback,
        var value when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count <= 1_000_000 => count,
        var value => throw new CliUsageException($"option --{option}: invalid value: '{value}' (a whole number from 0, no limit, to 1000000)"),
    };

    /// <summary>A positive number of seconds, fractions allowed, at most a day.</summary>
    private static TimeSpan ParseSeconds(string option, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86400
            ? TimeSpan.FromSeconds(seconds)
            : throw new CliUsageException($"option --{option}: invalid value: '{value}' (seconds, more than 0 and at most 86400)");

    private static WrapMode ParseWrapMode(string value) => value switch
    {
        "exit" => WrapMode.Exit,
        "ignore" => WrapMode.Ignore,
        "respawn" => WrapMode.Respawn,
        _ => throw new CliUsageException($"option --wrap-mode: invalid choice: '{value}' (choose from 'exit', 'ignore', 'respawn')"),
    };

    private static ProxyProtocolVersion ParseProxyProtocol(string value) => value switch
    {
        "v1" => ProxyProtocolVersion.V1,
        "v2" => ProxyProtocolVersion.V2,
        _ => throw new CliUsageException($"option --target-proxy-protocol: invalid choice: '{value}' (choose from 'v1', 'v2')"),
    };

    /// <summary>Made absolute now, so that -D's cwd / cannot change its meaning.</summary>
    private static TargetEndpoint UnixTarget(string path, string workingDirectory) =>
        TargetEndpoint.Unix(UnixSocketPath("unix-target", path, workingDirectory));

    /// <summary>Absolute, and short enough for sockaddr_un (107 bytes and a NUL), or a usage error now instead of at each dial.</summary>
    private static string UnixSocketPath(string option, string path, string workingDirectory)
    {
        if (path.Length == 0)
        {
            throw new CliUsageException($"option --{option}: an empty path");
        }

        var full = Path.GetFullPath(path, workingDirectory);
        return System.Text.Encoding.UTF8.GetByteCount(full) <= 107 && !full.Contains('\0', StringComparison.Ordinal)
            ? full
            : throw new CliUsageException($"option --{option}: '{full}' is too long for a unix socket path (at most 107 bytes)");
    }

    private static UnixListenSettings? BuildUnixListen(ParsedArguments args, string workingDirectory)
    {
        var mode = args.Value("unix-listen-mode") is { } text ? ParseOctalMode(text) : UnixListenSettings.DefaultMode;
        return args.Value("unix-listen") switch
        {
            null => null,
            var path => new UnixListenSettings(UnixSocketPath("unix-listen", path, workingDirectory), mode),
        };
    }

    /// <summary>Upstream's <c>int(mode, 8)</c>: octal digits (<c>0600</c>, <c>660</c>, <c>0o600</c>), permission bits only.</summary>
    internal static int ParseOctalMode(string text)
    {
        var digits = text.Trim();
        if (digits.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        var mode = 0;
        foreach (var c in digits)
        {
            mode = c is >= '0' and <= '7' && mode <= 0x1FF ? (mode * 8) + (c - '0') : int.MaxValue;
        }

        return digits.Length > 0 && mode <= 0x1FF ? mode : throw new CliUsageException("Error parsing listen unix socket mode");
    }

    private static (HostPort? Listen, HostPort? Target) ParsePositionals(ParsedArguments args, bool listenOptional, bool targetGiven = true)
    {
        var positionals = args.Positionals;
        var wanted = args.WrapCommand is null && targetGiven ? 2 : 1;
        if (positionals.Count > wanted)
        {
            throw new CliUsageException("Too many arguments");
        }

        if (args.WrapCommand is { Count: 0 })
        {
            throw new CliUsageException("Too few arguments");
        }

        // With a passed socket, `websockify TARGET` and `websockify LISTEN TARGET` both work (LISTEN then
        // only names the socket), so one unit file fits both socket activation and a plain start.
        var listenGiven = listenOptional ? positionals.Count == wanted : positionals.Count > 0;
        if (!listenGiven && !listenOptional)
        {
            throw new CliUsageException("Too few arguments");
        }

        var listen = listenGiven ? HostPort.ParseListen(positionals[0]) : null;
        if (args.WrapCommand is not null || !targetGiven)
        {
            return (listen, null);
        }

        var targetIndex = listenGiven ? 1 : 0;
        if (positionals.Count <= targetIndex)
        {
            throw new CliUsageException("Too few arguments");
        }

        return (listen, HostPort.ParseTarget(positionals[targetIndex]));
    }

    /// <summary><c>--ssl-target</c> and its two ways of trusting the target; the CA file is read at start-up.</summary>
    private static TargetTlsSettings? BuildTargetTls(ParsedArguments args, string workingDirectory)
    {
        if (!args.Has("ssl-target"))
        {
            return null;
        }

        if (args.WrapCommand is not null)
        {
            // The wrapped program is reached on loopback at a port it reports; a TLS server there is not what wrap mode is for.
            throw new CliUsageException("--ssl-target cannot be used with a wrapped program");
        }

        var caFile = args.Value("ssl-target-cafile");
        var insecure = args.Has("ssl-target-insecure");
        if (caFile is not null && insecure)
        {
            throw new CliUsageException("--ssl-target-cafile and --ssl-target-insecure cannot be used together");
        }

        return new TargetTlsSettings(caFile is null ? null : Path.GetFullPath(caFile, workingDirectory), insecure);
    }

    private static TlsSettings BuildTls(ParsedArguments args, string workingDirectory, Func<string, bool> fileExists, string? credentialsDirectory)
    {
        // Upstream makes --cert absolute at start-up, so a later chdir (daemon mode, --web) cannot change its meaning.
        var certCredential = args.Value("cert") is null ? TlsCredentials.Find(credentialsDirectory, TlsCredentials.CertName, fileExists) : null;
        var keyCredential = args.Value("key") is null ? TlsCredentials.Find(credentialsDirectory, TlsCredentials.KeyName, fileExists) : null;
        var cert = Path.GetFullPath(args.Value("cert") ?? certCredential ?? "self.pem", workingDirectory);
        var sslOnly = args.Has("ssl-only");
        if (sslOnly && !fileExists(cert))
        {
            throw new CliUsageException($"SSL only and {cert} not found");
        }

        return new TlsSettings
        {
            CertPath = cert,
            CertGiven = args.Value("cert") is not null || certCredential is not null,
            KeyPath = args.Value("key") is { } key ? Path.GetFullPath(key, workingDirectory) : keyCredential,
            KeyPassword = KeyPasswordSources.Resolve(args, workingDirectory, credentialsDirectory),
            SslOnly = sslOnly,
            MinimumProtocols = TlsVersionChoice.Parse(args.Value("ssl-version") ?? "default"),
            CipherSuites = args.Value("ssl-ciphers") is { } ciphers ? CipherSuiteList.Parse(ciphers) : null,
            VerifyClient = args.Has("verify-client"),
            CaFile = args.Value("cafile") is { } caFile ? Path.GetFullPath(caFile, workingDirectory) : null,
        };
    }
}
