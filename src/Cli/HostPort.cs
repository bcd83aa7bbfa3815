using System.Globalization;

namespace Websockify.Cli;

/// <summary>A <c>[host:]port</c> spec. Host null means "all interfaces" (listen) and is never null for a target.</summary>
internal sealed record HostPort(string? Host, int Port)
{
    /// <summary>
    /// Upstream's grammar: split at the last colon (so <c>::1:6080</c> works), strip brackets
    /// (<c>[::1]:6080</c>), a bare number is a port on all interfaces.
    /// </summary>
    public static HostPort ParseListen(string spec)
    {
        var (host, portText) = Split(spec);
        if (!TryParsePort(portText, allowZero: true, out var port))
        {
            throw new CliUsageException("Error parsing listen port");
        }

        return new HostPort(string.IsNullOrEmpty(host) ? null : host, port);
    }

    public static HostPort ParseTarget(string spec)
    {
        if (!spec.Contains(':', StringComparison.Ordinal))
        {
            throw new CliUsageException("Error parsing target");
        }

        var (host, portText) = Split(spec);
        if (!TryParsePort(portText, allowZero: false, out var port))
        {
            throw new CliUsageException("Error parsing target port");
        }

        if (string.IsNullOrEmpty(host))
        {
            throw new CliUsageException("Error parsing target");
        }

        return new HostPort(host, port);
    }

    public override string ToString() => Net.EndpointText.Format(Host ?? "", Port);

    private static (string? Host, string Port) Split(string spec)
    {
        var colon = spec.LastIndexOf(':');
        return colon < 0 ? (null, spec) : (spec[..colon].Trim('[', ']'), spec[(colon + 1)..]);
    }

    private static bool TryParsePort(string text, bool allowZero, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port)
        && port <= 65535
        && (allowZero || port > 0);
}
