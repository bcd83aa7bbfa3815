using Websockify.Targets;

namespace Websockify.Tokens;

/// <summary>One line of a token file that is not a token: its number (counted per file) and why.</summary>
internal readonly record struct TokenFileError(int Line, string Reason);

/// <summary>
/// Upstream's token file lines: <c>token: host:port</c>, split where a colon is followed by white space
/// (Python's <c>re.split(r':\s', line)</c>, which must give exactly two parts), <c>#</c> lines are
/// comments. As upstream, white space before the token is part of it and a later line for the same
/// token wins. Unlike upstream, blank lines are simply skipped (upstream logs each as a syntax error),
/// and a target that is not <c>host:port</c> or <c>unix_socket:PATH</c> (see <see cref="TokenTarget"/>)
/// is an error here, at load, instead of a failed connect later.
/// </summary>
internal static class TokenFileFormat
{
    public static void Parse(string text, Dictionary<string, TargetEndpoint> into, List<TokenFileError> errors)
    {
        var number = 0;
        foreach (var range in text.AsSpan().Split('\n'))
        {
            number++;
            var line = text.AsSpan()[range];
            if (line.IsWhiteSpace() || line.StartsWith('#'))
            {
                continue;
            }

            var separator = Separator(line);
            if (separator < 0 || Separator(line[(separator + 2)..]) >= 0)
            {
                errors.Add(new TokenFileError(number, "expected 'token: host:port'"));
                continue;
            }

            if (TokenTarget.Parse(line[(separator + 2)..].ToString()) is not { } target)
            {
                errors.Add(new TokenFileError(number, "the target is not host:port or unix_socket:PATH"));
                continue;
            }

            into[line[..separator].ToString()] = target;
        }
    }

    /// <summary>Where <c>:\s</c> first matches; -1 when it does not.</summary>
    private static int Separator(ReadOnlySpan<char> line)
    {
        for (var i = 0; i + 1 < line.Length; i++)
        {
            if (line[i] == ':' && char.IsWhiteSpace(line[i + 1]))
            {
                return i;
            }
        }

        return -1;
    }
}
