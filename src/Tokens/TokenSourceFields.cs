namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>parse_source_args</c>: <c>source.split(":")</c>, except that a field written as
/// <c>"…"</c> (at least one character, no quote inside, followed by a colon or the end) keeps its
/// colons and loses its quotes. Anything else, an unbalanced quote included, is taken as written.
/// </summary>
internal static class TokenSourceFields
{
    /// <summary>Upstream's regex matches at every field start; so does this loop, field by field.</summary>
    public static IReadOnlyList<string> Split(string source)
    {
        var fields = new List<string>();
        var start = 0;
        while (true)
        {
            if (Quoted(source, start) is { } close)
            {
                fields.Add(source[(start + 1)..close]);
                start = close + 1; // at a colon or the end
            }
            else
            {
                var colon = source.IndexOf(':', start);
                var end = colon < 0 ? source.Length : colon;
                fields.Add(source[start..end]);
                start = end;
            }

            if (start == source.Length)
            {
                return fields;
            }

            start++; // past the colon
        }
    }

    /// <returns>The index of the closing quote of a quoted field at <paramref name="start"/>, or null.</returns>
    private static int? Quoted(string source, int start)
    {
        if (start >= source.Length || source[start] != '"')
        {
            return null;
        }

        var close = source.IndexOf('"', start + 1);
        return close > start + 1 && (close + 1 == source.Length || source[close + 1] == ':') ? close : null;
    }
}
