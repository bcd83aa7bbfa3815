using Microsoft.Extensions.Logging;
using Websockify.Hosting;

namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>ReadOnlyTokenFile</c>: the same files as <see cref="TokenFile"/>, read once at start-up
/// (upstream's cache only held within one forked child) and again on SIGHUP; a source that cannot be
/// read then keeps the table it had.
/// </summary>
internal sealed class ReadOnlyTokenFile(TokenFileSet files) : ITokenSource, IReloadable
{
    private readonly Lock _reloading = new();

    public static TokenPlugin Plugin { get; } = new("ReadOnlyTokenFile", (source, cwd) => TokenFile.Open(source, cwd, (set, _) => new ReadOnlyTokenFile(set)));

    public string ReloadName => "token source " + files.Source;

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken) =>
        ValueTask.FromResult(files.Table.TryGetValue(token, out var target) ? TokenLookup.Found(target) : TokenLookup.Unknown());

    public void Reload(ILogger logger)
    {
        lock (_reloading)
        {
            files.Refresh(force: true);
        }
    }
}
