using System.Globalization;
using System.Text.Json;
using Websockify.Targets;

namespace Websockify.Tokens;

/// <summary>
/// A target as token sources write it: <c>host:port</c>, split at the last colon as upstream does (so
/// <c>::1:5901</c> works) and, unlike upstream, with brackets removed (<c>[::1]:5901</c> works too), or
/// <c>unix_socket:PATH</c> (an absolute path). Anything else is not a target: the lookup is invalid.
/// </summary>
internal static class TokenTarget
{
    public const string UnixPrefix = "unix_socket:";

    /// <summary>DNS names are at most 253 characters; an IPv6 literal with a zone fits easily.</summary>
    private const int MaxHostLength = 255;

    /// <summary>sockaddr_un holds 107 bytes and a NUL.</summary>
    private const int MaxUnixPathBytes = 107;

    /// <returns>Null when <paramref name="text"/> (surrounding whitespace ignored) is not a target.</returns>
    public static TargetEndpoint? Parse(string text)
    {
        var spec = text.Trim();
        if (spec.StartsWith(UnixPrefix, StringComparison.Ordinal))
        {
            return Unix(spec[UnixPrefix.Length..]);
        }

        var colon = spec.LastIndexOf(':');
        return colon > 0 ? Tcp(spec[..colon], spec[(colon + 1)..]) : null;
    }

    /// <summary>A host and a port given apart (JSON <c>{"host": …, "port": …}</c>, JWT claims).</summary>
    public static TargetEndpoint? Tcp(string host, string port)
    {
        if (host.Length > 2 && host[0] == '[' && host[^1] == ']')
        {
            host = host[1..^1];
        }

        return host.Length is > 0 and <= MaxHostLength
            && !host.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '[' or ']')
            && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            && number is > 0 and <= 65535
                ? TargetEndpoint.Tcp(host, number)
                : null;
    }

    /// <summary>A JSON object's <c>host</c> (a string) and <c>port</c> (a number or a string): JSONTokenApi's answer, a JWT's claims.</summary>
    public static TargetEndpoint? FromHostAndPort(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object || !json.TryGetProperty("host", out var host) || host.ValueKind != JsonValueKind.String
            || !json.TryGetProperty("port", out var port))
        {
            return null;
        }

        var portText = port.ValueKind switch
        {
            JsonValueKind.String => port.GetString(),
            JsonValueKind.Number when port.TryGetInt32(out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => null,
        };
        return portText is null ? null : Tcp(host.GetString()!, portText);
    }

    public static TargetEndpoint? Unix(string path) =>
        path.StartsWith('/') && !path.Contains('\0', StringComparison.Ordinal) && System.Text.Encoding.UTF8.GetByteCount(path) <= MaxUnixPathBytes
            ? TargetEndpoint.Unix(path)
            : null;
}
