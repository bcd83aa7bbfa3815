using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Websockify.Web;

/// <summary>
/// Turns a request target into path segments relative to the web root, or refuses it (always a 400).
/// Pure: no file system access. Segments are split on the raw <c>/</c> first and percent-decoded exactly
/// once afterwards, so <c>%2f</c> can never make a separator and <c>%252e</c> stays the literal name
/// <c>%2e</c>. Refused: anything but origin form (<c>http://host/x</c>, <c>*</c>), a fragment, a broken
/// escape, <c>.</c> and <c>..</c> segments however spelled, <c>/</c>, <c>\</c>, NUL or another control
/// character inside a segment, and bytes that are not well-formed UTF-8 (overlong forms such as
/// <c>%c0%ae</c> included). Browsers normalise dot segments before sending, so refusing them costs
/// real clients nothing. Empty segments (<c>//</c>) are dropped, as upstream does.
/// </summary>
internal static class WebPath
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryParse(string target, [NotNullWhen(true)] out RequestPath? path, out string reason)
    {
        path = null;
        if (!target.StartsWith('/'))
        {
            reason = "only origin-form request targets are served";
            return false;
        }

        if (target.Contains('#', StringComparison.Ordinal))
        {
            reason = "fragment in request target";
            return false;
        }

        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? target : target[..queryStart];
        var query = queryStart < 0 ? null : target[(queryStart + 1)..];
        var segments = new List<string>();
        foreach (var raw in rawPath.Split('/'))
        {
            if (raw.Length == 0)
            {
                continue;
            }

            if (!TryDecodeSegment(raw, out var segment, out reason))
            {
                return false;
            }

            segments.Add(segment);
        }

        reason = "";
        path = new RequestPath(segments, rawPath.EndsWith('/'), query);
        return true;
    }

    private static bool TryDecodeSegment(string raw, out string segment, out string reason)
    {
        segment = "";
        var bytes = new byte[raw.Length];
        var length = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '%')
            {
                bytes[length++] = (byte)c; // the request parser let only printable ASCII through
                continue;
            }

            if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
            {
                reason = "malformed percent-encoding";
                return false;
            }

            bytes[length++] = (byte)Convert.ToInt32(raw.Substring(i + 1, 2), 16);
            i += 2;
        }

        try
        {
            segment = StrictUtf8.GetString(bytes, 0, length);
        }
        catch (DecoderFallbackException)
        {
            reason = "path is not valid UTF-8";
            return false;
        }

        if (segment is "." or "..")
        {
            reason = "dot segment in path";
            return false;
        }

        foreach (var c in segment)
        {
            if (c is '/' or '\\' || char.IsControl(c))
            {
                reason = "separator or control character in a path segment";
                return false;
            }
        }

        reason = "";
        return true;
    }
}
