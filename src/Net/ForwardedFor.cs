using System.Net;

namespace Websockify.Net;

/// <summary>
/// <c>X-Forwarded-For</c> from a trusted balancer: each hop appends the address it was connected from,
/// so only the right-hand end is vouched for. Walking from the right, trusted proxies are skipped and
/// the first address that is not one is the client; what lies left of it was written by that client
/// and is ignored. All trusted: the leftmost. A hop we cannot read (a name, "unknown", garbage) ends
/// the walk with no answer: the connection's own peer stands rather than a guess.
/// </summary>
internal static class ForwardedFor
{
    public const string HeaderName = "X-Forwarded-For";

    /// <summary>Hops looked at, from the right; a longer chain is cut there (its left part is the client's own claim anyway).</summary>
    public const int MaxHops = 32;

    /// <param name="values">The header's field values in the order received (several header lines form one list).</param>
    /// <returns>The client's address, or null when there is no usable header.</returns>
    public static IPAddress? Client(IReadOnlyList<string> values, TrustedProxies trusted)
    {
        IPAddress? leftmostTrusted = null;
        var hops = 0;
        for (var v = values.Count - 1; v >= 0; v--)
        {
            var value = values[v].AsSpan();
            if (value.IsWhiteSpace())
            {
                continue; // an empty header line adds nothing to the list
            }

            while (true)
            {
                var comma = value.LastIndexOf(',');
                if (++hops > MaxHops)
                {
                    return leftmostTrusted;
                }

                if (ParseHop(value[(comma + 1)..].Trim()) is not { } address)
                {
                    return null;
                }

                if (!trusted.Trusts(address))
                {
                    return address;
                }

                leftmostTrusted = address;
                if (comma < 0)
                {
                    break;
                }

                value = value[..comma];
            }
        }

        return leftmostTrusted;
    }

    /// <summary>An address as balancers write it: <c>192.0.2.1</c>, <c>192.0.2.1:4711</c>, <c>2001:db8::1</c>, <c>[2001:db8::1]:4711</c>.</summary>
    internal static IPAddress? ParseHop(ReadOnlySpan<char> hop)
    {
        if (hop.IsEmpty || hop.Length > 64)
        {
            return null;
        }

        if (hop[0] == '[')
        {
            var close = hop.IndexOf(']');
            if (close < 0 || (close + 1 < hop.Length && !IsPort(hop[(close + 1)..])))
            {
                return null;
            }

            return IPAddress.TryParse(hop[1..close], out var bracketed) && bracketed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !hop.Contains('%') ? bracketed : null;
        }

        var colon = hop.IndexOf(':');
        if (colon >= 0 && hop.LastIndexOf(':') == colon)
        {
            // One colon: IPv4 with a port (an IPv6 address has at least two).
            return IsPort(hop[colon..]) && IsDottedQuad(hop[..colon]) && IPAddress.TryParse(hop[..colon], out var v4) ? v4 : null;
        }

        return colon >= 0
            ? IPAddress.TryParse(hop, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !hop.Contains('%') ? v6 : null
            : IsDottedQuad(hop) && IPAddress.TryParse(hop, out var address) ? address : null;
    }

    /// <summary>":" and 1 to 5 digits.</summary>
    private static bool IsPort(ReadOnlySpan<char> text) =>
        text.Length is >= 2 and <= 6 && text[0] == ':' && !text[1..].ContainsAnyExceptInRange('0', '9');

    /// <summary>Four dot-separated decimal parts: IPAddress.TryParse also takes "1", "0x7f.1" and "127.1", which no balancer writes.</summary>
    private static bool IsDottedQuad(ReadOnlySpan<char> text) =>
        text.Count('.') == 3 && !text.ContainsAnyExcept(".0123456789") && !text.Contains("..", StringComparison.Ordinal) && text[0] != '.' && text[^1] != '.';
}
