namespace Websockify.Web;

/// <summary>
/// Validators of a file and the conditional GET/HEAD rules of RFC 9110 §13.2.2. The entity tag is the
/// size and the modification time in nanoseconds, so it changes whenever the file's content can have.
/// If-None-Match, when present, decides alone (weak comparison; <c>*</c> matches any file); otherwise
/// If-Modified-Since is compared at one-second resolution, and ignored when it is not a valid date.
/// </summary>
internal static class ConditionalRequest
{
    public static string EntityTag(long size, long modifiedUnixNanoseconds) =>
        $"\"{size:x}-{modifiedUnixNanoseconds:x}\"";

    /// <summary>The Last-Modified time: the file's, in whole seconds, never later than <paramref name="now"/>.</summary>
    public static DateTimeOffset LastModified(long modifiedUnixNanoseconds, DateTimeOffset now)
    {
        var modified = DateTimeOffset.FromUnixTimeSeconds(Math.DivRem(modifiedUnixNanoseconds, 1_000_000_000L, out var rest) - (rest < 0 ? 1 : 0));
        var wholeNow = DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());
        return modified > wholeNow ? wholeNow : modified;
    }

    /// <returns>True when the client's copy is current and a 304 answers.</returns>
    public static bool IsNotModified(string? ifNoneMatch, string? ifModifiedSince, string entityTag, DateTimeOffset lastModified)
    {
        if (ifNoneMatch is not null)
        {
            return Matches(ifNoneMatch, entityTag);
        }

        return HttpDate.TryParse(ifModifiedSince, out var since) && lastModified <= since;
    }

    /// <summary>Weak comparison of <paramref name="entityTag"/> against an If-None-Match list; a malformed list matches nothing.</summary>
    private static bool Matches(string list, string entityTag)
    {
        var value = list.AsSpan().Trim(" \t");
        if (value.SequenceEqual("*"))
        {
            return true;
        }

        var wanted = Opaque(entityTag);
        while (!value.IsEmpty)
        {
            value = value.TrimStart(" \t,");
            if (value.IsEmpty)
            {
                break;
            }

            if (value.StartsWith("W/", StringComparison.Ordinal))
            {
                value = value[2..];
            }

            if (value.IsEmpty || value[0] != '"')
            {
                return false;
            }

            var close = value[1..].IndexOf('"');
            if (close < 0)
            {
                return false;
            }

            if (value[1..(close + 1)].SequenceEqual(wanted))
            {
                return true;
            }

            value = value[(close + 2)..];
        }

        return false;
    }

    private static ReadOnlySpan<char> Opaque(string entityTag) => entityTag.AsSpan().Trim('"');
}
