using System.Text;
using Websockify.Interop;

namespace Websockify.Tokens;

/// <summary>
/// Upstream 0.12's <c>TokenFileName</c>: the token names a file in the directory, and the file holds the
/// target (<c>host:port</c>, read fresh for every connection). Unlike upstream, which splits on every colon,
/// IPv6 targets (<c>::1:5901</c>, <c>[::1]:5901</c>) and <c>unix_socket:PATH</c> work; the file is read
/// up to <see cref="MaxBytes"/> and must lie inside the directory (see <see cref="TokenDirectory"/>).
/// </summary>
internal sealed class TokenFileName(TokenDirectory directory) : ITokenSource
{
    public const int MaxBytes = 4096;

    public static TokenPlugin Plugin { get; } = new("TokenFileName", (source, cwd) =>
    {
        var open = TokenDirectory.Parse("TokenFileName", source, cwd);
        return context => new TokenFileName(open(context));
    });

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken)
    {
        var (real, refusal) = directory.Resolve(token);
        if (real is null)
        {
            return ValueTask.FromResult(refusal);
        }

        if (!LibC.TryGetLinkStatus(real, out var status, out _) || status.Kind != FileKind.Regular)
        {
            return ValueTask.FromResult(TokenLookup.Unknown("not a regular file"));
        }

        if (status.Size > MaxBytes)
        {
            return ValueTask.FromResult(TokenLookup.Invalid($"the token's file is larger than {MaxBytes} bytes"));
        }

        string text;
        try
        {
            text = Encoding.UTF8.GetString(File.ReadAllBytes(real).AsSpan(0, (int)Math.Min(MaxBytes, status.Size)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult(TokenLookup.Unavailable("cannot read the token's file: " + ex.Message));
        }

        return ValueTask.FromResult(TokenTarget.Parse(text) is { } target
            ? TokenLookup.Found(target)
            : TokenLookup.Invalid("the token's file does not hold host:port or unix_socket:PATH"));
    }
}
