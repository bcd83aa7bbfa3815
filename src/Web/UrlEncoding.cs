using System.Text;

namespace Websockify.Web;

/// <summary>Percent-encoding of what the web server itself puts into URLs: redirect targets and listing links.</summary>
internal static class UrlEncoding
{
    /// <summary>
    /// One path segment's UTF-8 bytes with everything but unreserved characters and a few safe
    /// sub-delimiters percent-encoded: <c>/</c>, <c>?</c>, <c>#</c>, <c>%</c>, <c>:</c>, quotes and
    /// brackets never appear raw, so the result cannot change the URL's structure.
    /// </summary>
    public static string EncodeSegment(string segment)
    {
        var encoded = new StringBuilder(segment.Length);
        foreach (var b in Encoding.UTF8.GetBytes(segment))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~'
                or (byte)'!' or (byte)'$' or (byte)'(' or (byte)')' or (byte)'*' or (byte)'+' or (byte)',' or (byte)';' or (byte)'=' or (byte)'@')
            {
                encoded.Append((char)b);
            }
            else
            {
                AppendEscape(encoded, b);
            }
        }

        return encoded.ToString();
    }

    /// <summary>
    /// A raw query string (printable ASCII, as the request parser guarantees) made safe for a Location
    /// header: existing escapes stay, characters a URI may not hold are encoded.
    /// </summary>
    public static string EncodeQuery(string query)
    {
        var encoded = new StringBuilder(query.Length);
        foreach (var c in query)
        {
            if (c > 0x20 && c < 0x7f && !"\"<>\\^`{|}[]#".Contains(c, StringComparison.Ordinal))
            {
                encoded.Append(c);
            }
            else
            {
                foreach (var b in Encoding.UTF8.GetBytes(c.ToString()))
                {
                    AppendEscape(encoded, b);
                }
            }
        }

        return encoded.ToString();
    }

    private static void AppendEscape(StringBuilder to, byte b) => to.Append('%').Append("0123456789ABCDEF"[b >> 4]).Append("0123456789ABCDEF"[b & 0xf]);
}
