using System.Net;
using Websockify.Http;

namespace Websockify.Tokens;

/// <summary>
/// Where the token is in a request, by upstream's rules: the first non-empty <c>token</c> value of the
/// query, percent-decoded (<c>+</c> is a space) with trailing newlines removed, as Python's
/// <c>parse_qs(...)['token'][0].rstrip('\n')</c> gives it; or, with <c>--host-token</c>, the Host
/// header without its port. Upstream cuts Host at its first colon, which leaves <c>[</c> of an IPv6
/// literal; here a bracketed host is kept whole (<c>[::1]</c>). Null: no token (empty counts as none).
/// </summary>
internal static class TokenExtractor
{
    public static string? From(HttpRequest request, bool hostToken) =>
        hostToken ? FromHost(request.Get("Host")) : FromQuery(request.Target);

    public static string? FromQuery(string target)
    {
        var question = target.IndexOf('?');
        if (question < 0)
        {
            return null;
        }

        var query = target.AsSpan(question + 1);
        if (query.IndexOf('#') is var hash and >= 0)
        {
            query = query[..hash];
        }

        foreach (var range in query.Split('&'))
        {
            var field = query[range];
            var equals = field.IndexOf('=');
            if (equals < 0)
            {
                continue; // parse_qs without keep_blank_values drops a bare name
            }

            if (Decode(field[..equals]) == "token" && Decode(field[(equals + 1)..]).TrimEnd('\n') is { Length: > 0 } token)
            {
                return token;
            }
        }

        return null;
    }

    public static string? FromHost(string? host)
    {
        if (string.IsNullOrEmpty(host))
        {
            return null;
        }

        var end = host.StartsWith('[') && host.IndexOf(']') is var close and > 0 ? close + 1 : host.IndexOf(':');
        var token = end < 0 ? host : host[..end];
        return token.Length == 0 ? null : token;
    }

    /// <summary>Python's <c>unquote_plus</c>: <c>+</c> is a space, escapes are UTF-8 (invalid bytes become U+FFFD).</summary>
    private static string Decode(ReadOnlySpan<char> text) => WebUtility.UrlDecode(text.ToString());
}
