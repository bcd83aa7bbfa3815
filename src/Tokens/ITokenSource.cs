namespace Websockify.Tokens;

/// <summary>
/// A token plugin's lookup: upstream's <c>lookup(token)</c>. It is opened once at start-up and asked
/// once per upgrade, concurrently from many connections, under the handshake deadline (the token it is
/// given is already non-empty and bounded by the request-line limit). A source that reads files or a
/// backend may also be <see cref="Hosting.IReloadable"/> (SIGHUP) and <see cref="IDisposable"/> (exit).
/// </summary>
internal interface ITokenSource
{
    /// <summary>Never throws for a bad token or a failing backend: those are <see cref="TokenLookup"/> outcomes.</summary>
    ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken);
}
