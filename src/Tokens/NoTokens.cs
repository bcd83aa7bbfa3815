namespace Websockify.Tokens;

/// <summary>Upstream's <c>BasePlugin</c>: no token is known.</summary>
internal sealed class NoTokens : ITokenSource
{
    public static NoTokens Instance { get; } = new();

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TokenLookup.Unknown());
}
