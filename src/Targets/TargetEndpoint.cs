using Websockify.Net;

namespace Websockify.Targets;

/// <summary>
/// Where one session's bytes go: a TCP <c>host:port</c> or a Unix socket path, either optionally
/// spoken to over TLS (<c>--ssl-target</c>).
/// </summary>
internal sealed record TargetEndpoint
{
    private TargetEndpoint(string? host, int port, string? unixPath, bool tls)
    {
        Host = host;
        Port = port;
        UnixPath = unixPath;
        Tls = tls;
    }

    /// <summary>Host name or address literal; null for a Unix socket.</summary>
    public string? Host { get; }

    public int Port { get; }

    /// <summary>The socket's path; null for TCP.</summary>
    public string? UnixPath { get; }

    public bool Tls { get; }

    public static TargetEndpoint Tcp(string host, int port, bool tls = false) => new(host, port, null, tls);

    public static TargetEndpoint Unix(string path, bool tls = false) => new(null, 0, path, tls);

    /// <summary>The same place over TLS (<c>--ssl-target</c> applies to every target a token plugin returns too).</summary>
    public TargetEndpoint WithTls() => Tls ? this : new(Host, Port, UnixPath, tls: true);

    public override string ToString()
    {
        var address = UnixPath is { } path ? "unix:" + path : EndpointText.Format(Host!, Port);
        return Tls ? address + " (using SSL)" : address;
    }
}
