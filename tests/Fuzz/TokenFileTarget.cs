using System.Text;
using Websockify.Targets;
using Websockify.Tokens;

namespace Websockify.Fuzz;

/// <summary>
/// A token file's text (<c>token: host:port</c> lines) through <see cref="TokenFileFormat"/>, as
/// <see cref="TokenFileSet"/> loads it: bytes that are not UTF-8 are refused before parsing. A bad line
/// is an entry in the error list, never an exception. The oracle: every line is either a token or an
/// error, and every error names a line that exists.
/// </summary>
public sealed class TokenFileTarget : IFuzzTarget
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public string Name => "token-file";

    public void Run(ReadOnlySpan<byte> input)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(input);
        }
        catch (DecoderFallbackException)
        {
            return;
        }

        var entries = new Dictionary<string, TargetEndpoint>(StringComparer.Ordinal);
        var errors = new List<TokenFileError>();
        TokenFileFormat.Parse(text, entries, errors);
        var lines = text.Count(c => c == '\n') + 1;
        if (errors.Any(e => e.Line < 1 || e.Line > lines) || errors.Count + entries.Count > lines)
        {
            throw new FuzzInvariantException($"{errors.Count} errors and {entries.Count} tokens from {lines} lines");
        }
    }
}
