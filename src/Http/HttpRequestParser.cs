using System.Text;

namespace Websockify.Http;

/// <summary>
/// A strict parser for one HTTP/1.x request head (RFC 9112): CRLF line endings only, no obsolete line
/// folding, no whitespace before a header colon, no control characters, bounded header count.
/// Strictness here closes request-smuggling and header-confusion tricks before anything is proxied.
/// </summary>
internal static class HttpRequestParser
{
    /// <summary>Parses <paramref name="head"/>: the bytes up to, not including, the blank line's final CRLF CRLF.</summary>
    public static HttpRequest Parse(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var requestLine = lineEnd < 0 ? head : head[..lineEnd];
        var (method, target, version) = ParseRequestLine(requestLine);

        var headers = new List<KeyValuePair<string, string>>();
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            if (headers.Count == Limits.MaxHeaderCount)
            {
                throw new HttpRequestRejectedException(431, "Too many header fields");
            }

            headers.Add(ParseHeaderLine(line));
        }

        return new HttpRequest(method, target, version, headers);
    }

    private static (string Method, string Target, string Version) ParseRequestLine(ReadOnlySpan<byte> line)
    {
        var firstSpace = line.IndexOf((byte)' ');
        var lastSpace = line.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace == firstSpace)
        {
            throw new HttpRequestRejectedException(400, "Malformed request line");
        }

        var method = line[..firstSpace];
        var target = line[(firstSpace + 1)..lastSpace];
        var version = line[(lastSpace + 1)..];
        if (!IsToken(method) || target.IsEmpty || !IsTargetChars(target))
        {
            throw new HttpRequestRejectedException(400, "Malformed request line");
        }

        if (!version.StartsWith("HTTP/"u8) || version.Length != 8 || version[6] != '.'
            || !char.IsAsciiDigit((char)version[5]) || !char.IsAsciiDigit((char)version[7]))
        {
            throw new HttpRequestRejectedException(400, "Malformed HTTP version");
        }

        if (version[5] != '1')
        {
            throw new HttpRequestRejectedException(505, "HTTP version not supported");
        }

        return (Encoding.ASCII.GetString(method), Encoding.ASCII.GetString(target), Encoding.ASCII.GetString(version));
    }

    private static KeyValuePair<string, string> ParseHeaderLine(ReadOnlySpan<byte> line)
    {
        if (line.IsEmpty || line[0] is (byte)' ' or (byte)'\t')
        {
            throw new HttpRequestRejectedException(400, "Obsolete line folding is not allowed");
        }

        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || !IsToken(line[..colon]))
        {
            throw new HttpRequestRejectedException(400, "Malformed header field");
        }

        var value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (var b in value)
        {
            // Field values: visible ASCII, obs-text, space and tab (RFC 9110 §5.5). CR and LF are never allowed.
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7f)
            {
                throw new HttpRequestRejectedException(400, "Invalid character in header value");
            }
        }

        return new(Encoding.ASCII.GetString(line[..colon]), Encoding.Latin1.GetString(value));
    }

    /// <summary>RFC 9110 tchar.</summary>
    private static bool IsToken(ReadOnlySpan<byte> span)
    {
        if (span.IsEmpty)
        {
            return false;
        }

        foreach (var b in span)
        {
            if (!(char.IsAsciiLetterOrDigit((char)b) || "!#$%&'*+-.^_`|~"u8.Contains(b)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTargetChars(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
        {
            if (b <= 0x20 || b >= 0x7f)
            {
                return false;
            }
        }

        return true;
    }
}
