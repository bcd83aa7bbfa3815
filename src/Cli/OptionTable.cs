namespace Websockify.Cli;

/// <summary>
/// Every option upstream websockify's optparse knows (websocketproxy.py), plus our additions.
/// An option whose feature is not built yet stays in the table so that it is refused by name
/// instead of being reported as unknown or, worse, silently ignored.
/// </summary>
internal static class OptionTable
{
    private const OptionAvailability Yes = OptionAvailability.Supported;
    private const OptionAvailability NotYet = OptionAvailability.NotSupportedYet;

    public static readonly IReadOnlyList<OptionSpec> All =
    [
        new("help", 'h', null, Yes, "show this help message and exit"),
        new("version", null, null, Yes, "show the version and exit"),
        new("verbose", 'v', null, Yes, "verbose messages (per-request log lines)"),
        new("traffic", null, null, Yes, "per frame traffic (on stdout)"),
        new("record", null, "FILE", Yes, "record sessions to FILE.[session_number] (mode 0600)"),
        new("daemon", 'D', null, Yes, "become a daemon (background process); returns once it listens"),
        new("pid-file", null, "FILE", Yes, "write the daemon's pid to FILE, removed on exit"),
        new("run-once", null, null, Yes, "handle a single WebSocket connection and exit"),
        new("timeout", null, "TIMEOUT", Yes, "after TIMEOUT seconds exit when not connected"),
        new("idle-timeout", null, "IDLE_TIMEOUT", Yes, "server exits after TIMEOUT seconds if there are no active connections"),
        new("cert", null, "CERT", Yes, "SSL certificate file (default: self.pem in the working directory, used only if it exists)"),
        new("key", null, "KEY", Yes, "SSL key file (if separate from cert)"),
        new("key-password", null, "KEY_PASSWORD", Yes, "SSL key password (visible in ps: prefer --key-password-file)"),
        new("key-password-file", null, "FILE", Yes, "read the SSL key password from the first line of FILE"),
        new("ssl-only", null, null, Yes, "disallow non-encrypted client connections"),
        new("ssl-target", null, null, Yes, "connect to SSL target as SSL client (SNI and the certificate checked against the target host, system CA store)"),
        new("ssl-target-cafile", null, "FILE", Yes, "with --ssl-target: trust only the PEM certificates in FILE (a CA, or a self-signed target certificate); the host name is still checked"),
        new("ssl-target-insecure", null, null, Yes, "with --ssl-target: do not verify the target's certificate at all (a warning at start)"),
        new("verify-client", null, null, Yes, "require encrypted client to present a valid certificate (plain ws:// clients are not asked: add --ssl-only)"),
        new("cafile", null, "CAFILE", Yes, "file of concatenated certificates of authorities trusted for validating clients (default with --verify-client: the system's; reloaded on SIGHUP)"),
        new("ssl-version", null, "SSL_VERSION", Yes, "minimum TLS version: default, tlsv1_1, tlsv1_2 or tlsv1_3"),
        new("ssl-ciphers", null, "SSL_CIPHERS", Yes, "list of allowed cipher suites, colon separated (IANA or OpenSSL names)"),
        new("unix-listen", null, "UNIX_LISTEN", Yes, "listen on the unix socket UNIX_LISTEN (instead of TCP when no listen address is given, else as well); a stale socket file is replaced, the file is removed at exit"),
        new("unix-listen-mode", null, "UNIX_LISTEN_MODE", Yes, "file mode of the unix socket, octal (default 0600)"),
        new("unix-target", null, "UNIX_TARGET", Yes, "connect to the unix socket UNIX_TARGET instead of a target_addr:target_port"),
        new("target-proxy-protocol", null, "VERSION", Yes, "start each target connection with a PROXY protocol header naming the client: v1 (text) or v2 (binary)"),
        new("proxy-protocol", null, null, Yes, "connections from a --trusted-proxy open with a PROXY protocol header (v1 or v2, as HAProxy's send-proxy) naming the client; from anyone else one is refused"),
        new("trusted-proxy", null, "CIDR[,CIDR]", Yes, "balancers whose PROXY header (with --proxy-protocol) and X-Forwarded-For name the client: addresses, CIDRs, 'unix' for --unix-listen clients"),
        new("inetd", null, null, Yes, "inetd mode, receive listening socket from stdin (any address family)"),
        new("web", null, "DIR", Yes, "run webserver on same port, serve files from DIR"),
        new("web-auth", null, null, Yes, "require authentication to access webserver"),
        new("wrap-mode", null, "MODE", Yes, "action to take when the wrapped program exits or daemonizes: exit (default), ignore, respawn"),
        new("rebind-lib", null, "PATH", Yes, "rebind.so for wrap mode (default: ../lib/rebind.so or ../lib/websockify/rebind.so beside the binary)"),
        new("handshake-timeout", null, "SECONDS", Yes, "close a connection that has not completed its TLS and HTTP handshake within SECONDS (default 10)"),
        new("send-timeout", null, "SECONDS", Yes, "drop a session whose client has not read one write of ours for SECONDS (default 30)"),
        new("drain-timeout", null, "SECONDS", Yes, "on SIGTERM or SIGINT stop accepting and let open sessions finish for up to SECONDS before closing them with 1001 (default 0: at once; a second signal cuts it short)"),
        new("max-connections", null, "N", Yes, "connections open at once, handshakes and sessions (default 10000; 0: no limit); more are closed at once"),
        new("max-connections-per-ip", null, "N", Yes, "the same per client address (default 0: no limit)"),
        new("max-respawns", null, "N", Yes, "with --wrap-mode=respawn: give up (exit 1) when the program needs more than N restarts within a minute (default 20; 0: no limit)"),
        new("prefer-ipv6", '6', null, Yes, "prefer IPv6 when resolving the listen address"),
        new("libserver", null, null, Yes, "upstream's Python HTTP server engine: has no meaning here and is refused"),
        new("target-config", null, "FILE", Yes, "configuration file containing valid targets (deprecated: use --token-plugin=TokenFile --token-source=FILE)"),
        new("token-plugin", null, "CLASS", Yes, "use a token plugin to resolve targets (sources: TokenFile, ReadOnlyTokenFile FILE or DIR of 'token: host:port' lines; TokenFileName DIR of files holding host:port; UnixDomainSocketDirectory DIR of sockets; TokenRedis host[:port[:db[:password[:namespace]]]]; BaseTokenAPI, JSONTokenApi URL with %s; JWTTokenApi KEYFILE, PEM public key or base64url secret; BasePlugin none)"),
        new("token-source", null, "ARG", Yes, "an argument to be passed to the token plugin (see --token-plugin)"),
        new("host-token", null, null, Yes, "use the host HTTP header as token instead of the token URL query parameter"),
        new("auth-plugin", null, "CLASS", Yes, "use an authentication plugin (sources: BasicHTTPAuth user:password or @FILE, default the credential websockify-auth-source; ExpectOrigin 'ORIGIN ...'; ClientCertCNAuth 'CN ...' with --verify-client; BasePlugin none)"),
        new("auth-source", null, "ARG", Yes, "an argument to be passed to the auth plugin (see --auth-plugin)"),
        new("heartbeat", null, "HEARTBEAT", Yes, "send a ping to the client every HEARTBEAT seconds"),
        new("heartbeat-timeout", null, "SECONDS", Yes, "with --heartbeat: close a session whose client sent nothing, not even a pong, for SECONDS (default 3 x HEARTBEAT)"),
        new("log-file", null, "LOG_FILE", Yes, "file where logs will be saved (appended)"),
        new("metrics", null, "HOST:PORT", Yes, "serve Prometheus metrics on http://HOST:PORT/metrics and a health check on /healthz (200, or 503 once draining), a listener of its own (HOST defaults to 127.0.0.1)"),
        new("log-format", null, "FORMAT", Yes, "text (default) or json: one JSON object per line on stderr and in the log file, the same events and values as the text"),
        new("syslog", null, "SYSLOG", Yes, "also log to a syslog server: HOST:PORT (UDP) or a unix socket path such as /dev/log"),
        new("legacy-syslog", null, null, Yes, "use the old syslog protocol (RFC 3164) instead of RFC 5424"),
        new("file-only", null, null, Yes, "use this to disable directory listings in the web server"),
        new("allow-hixie", null, null, Yes, "also accept the old Hixie-75/76 WebSocket drafts (insecure, no browser of today speaks them; base64 payload)"),
        new("flash-policy", null, null, Yes, "answer Flash's <policy-file-request/> on the same port with a policy allowing every domain and port"),
    ];

    public static OptionSpec? FindShort(char c) => All.FirstOrDefault(o => o.Short == c);

    /// <summary>
    /// optparse semantics: an exact long name wins, otherwise a unique prefix is accepted
    /// (<c>--verb</c> means <c>--verbose</c>); an ambiguous prefix is an error naming the candidates.
    /// </summary>
    public static OptionSpec FindLong(string name)
    {
        var exact = All.FirstOrDefault(o => o.Long == name);
        if (exact is not null)
        {
            return exact;
        }

        var candidates = All.Where(o => o.Long.StartsWith(name, StringComparison.Ordinal)).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new CliUsageException($"no such option: --{name}"),
            _ => throw new CliUsageException(
                $"ambiguous option: --{name} ({string.Join(", ", candidates.Select(c => "--" + c.Long))}?)"),
        };
    }
}
