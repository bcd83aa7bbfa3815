using Websockify.Interop;

namespace Websockify.Tokens;

/// <summary>
/// Upstream 0.10's <c>UnixDomainSocketDirectory</c>: the token names a Unix socket in the directory, and
/// the session goes to it. The socket must be inside the directory by its real path (upstream 0.13 lets
/// <c>../</c> and prefix-named siblings through); the session dials that real path, so a link swapped
/// after the check cannot move it.
/// </summary>
internal sealed class UnixDomainSocketDirectory(TokenDirectory directory) : ITokenSource
{
    public static TokenPlugin Plugin { get; } = new("UnixDomainSocketDirectory", (source, cwd) =>
    {
        var open = TokenDirectory.Parse("UnixDomainSocketDirectory", source, cwd);
        return context => new UnixDomainSocketDirectory(open(context));
    });

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken)
    {
        var (real, refusal) = directory.Resolve(token);
        if (real is null)
        {
            return ValueTask.FromResult(refusal);
        }

        if (!LibC.TryGetLinkStatus(real, out var status, out _) || status.Kind != FileKind.Socket)
        {
            return ValueTask.FromResult(TokenLookup.Unknown("not a socket"));
        }

        return ValueTask.FromResult(TokenTarget.Unix(real) is { } target
            ? TokenLookup.Found(target)
            : TokenLookup.Invalid("the socket's path is too long for a unix socket address"));
    }
}
