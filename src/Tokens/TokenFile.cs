using Microsoft.Extensions.Logging;
using Websockify.Cli;

namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>TokenFile</c> (and <c>--target-config</c>): a file or a directory of token files whose
/// changes are seen without a restart. Upstream re-reads every file for every connection; here a
/// lookup checks the files' stats at most once per <see cref="CheckInterval"/> and re-reads only the
/// files that changed, so an edit is seen within about a second and a busy daemon with a large
/// directory does not read it per connection. Only one lookup at a time does the check; the others use
/// the table as it is. A source that cannot be read keeps the last good table.
/// </summary>
internal sealed class TokenFile : ITokenSource
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly TokenFileSet _files;
    private readonly TimeProvider _time;
    private long _checkedAt;
    private int _checking;

    private TokenFile(TokenFileSet files, TimeProvider time)
    {
        _files = files;
        _time = time;
        _checkedAt = time.GetTimestamp();
    }

    public static TokenPlugin Plugin { get; } = new("TokenFile", (source, cwd) => Open(source, cwd, (set, context) => new TokenFile(set, context.Time)));

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken)
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _checkedAt)) >= CheckInterval && Interlocked.Exchange(ref _checking, 1) == 0)
        {
            try
            {
                _files.Refresh();
                Volatile.Write(ref _checkedAt, _time.GetTimestamp());
            }
            finally
            {
                Volatile.Write(ref _checking, 0);
            }
        }

        return ValueTask.FromResult(_files.Table.TryGetValue(token, out var target) ? TokenLookup.Found(target) : TokenLookup.Unknown());
    }

    /// <summary>Both file plugins: the source is required and made absolute; it must be readable at start-up.</summary>
    internal static TokenSourceOpener Open(string? source, string workingDirectory, Func<TokenFileSet, TokenSourceContext, ITokenSource> create)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw new CliUsageException("--token-plugin TokenFile and ReadOnlyTokenFile need --token-source FILE or DIRECTORY");
        }

        var path = Path.GetFullPath(source, workingDirectory);
        return context =>
        {
            var set = new TokenFileSet(path, context.Logger);
            return set.Refresh() is { } failure ? throw new TokenSourceException($"token source: {failure}") : create(set, context);
        };
    }
}
