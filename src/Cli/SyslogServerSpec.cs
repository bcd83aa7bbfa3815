using System.Globalization;
using System.Text;
using Websockify.Logging;

namespace Websockify.Cli;

/// <summary>
/// <c>--syslog SERVER</c>, upstream's grammar: with a colon it is <c>host:port</c> over UDP, split at
/// the last colon (so <c>::1:514</c> works; brackets, <c>[::1]:514</c>, are stripped, which upstream
/// cannot resolve); otherwise a local Unix socket path, made absolute as upstream does.
/// </summary>
internal static class SyslogServerSpec
{
    /// <summary>sun_path holds 108 bytes, the terminating NUL included.</summary>
    private const int MaxSocketPathBytes = 107;

    public static SyslogServer Parse(string spec, string workingDirectory)
    {
        if (spec.Length == 0)
        {
            throw new CliUsageException("option --syslog: an empty SERVER (host:port or a socket path)");
        }

        var colon = spec.LastIndexOf(':');
        if (colon < 0)
        {
            var path = Path.GetFullPath(spec, workingDirectory);
            return Encoding.UTF8.GetByteCount(path) <= MaxSocketPathBytes
                ? SyslogServer.Unix(path)
                : throw new CliUsageException($"option --syslog: socket path longer than {MaxSocketPathBytes} bytes: {path}");
        }

        if (!int.TryParse(spec.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new CliUsageException("Error parsing syslog port");
        }

        var host = spec[..colon];
        if (host.Length >= 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        // Upstream's SysLogHandler default host; an empty name is nothing a resolver answers.
        return SyslogServer.Udp(host.Length == 0 ? "localhost" : host, port);
    }
}
