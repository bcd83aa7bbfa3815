namespace Websockify.Logging;

/// <summary>
/// Where <c>--syslog</c> sends: a UDP host and port, or a local Unix datagram socket (<c>/dev/log</c>).
/// Exactly one of <see cref="Host"/> and <see cref="SocketPath"/> is set.
/// </summary>
internal sealed record SyslogServer(string? Host, int Port, string? SocketPath)
{
    public static SyslogServer Udp(string host, int port) => new(host, port, null);

    /// <param name="path">Absolute, so the daemon's chdir to / cannot change its meaning.</param>
    public static SyslogServer Unix(string path) => new(null, 0, path);

    public override string ToString() => SocketPath ?? Net.EndpointText.Format(Host!, Port);
}
