using Websockify.Cli;
using Websockify.Interop;

namespace Websockify.Tokens;

/// <summary>
/// A directory in which the token names an entry (<c>TokenFileName</c>, <c>UnixDomainSocketDirectory</c>).
/// The token must be a plain name (no <c>/</c>, not <c>.</c> or <c>..</c>, no NUL), and the entry's real
/// path, every symbolic link resolved, must lie inside the directory's real path and its separator:
/// upstream 0.13 compares string prefixes without normalising, so <c>../other/x</c> and a sibling
/// directory named like a prefix (<c>/srv/socks2</c> for <c>/srv/socks</c>) both escape there.
/// </summary>
internal sealed class TokenDirectory
{
    private readonly string _root;

    private TokenDirectory(string path, string root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    /// <summary>The directory must exist when the daemon starts: a typo is found at once, not at the first connection.</summary>
    public static Func<TokenSourceContext, TokenDirectory> Parse(string plugin, string? source, string workingDirectory)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw new CliUsageException($"--token-plugin {plugin} needs --token-source DIRECTORY");
        }

        var path = System.IO.Path.GetFullPath(source, workingDirectory);
        return context => LibC.RealPath(path, out var errno) is { } real && LibC.TryGetLinkStatus(real, out var status, out var _) && status.Kind == FileKind.Directory
            ? new TokenDirectory(path, real.TrimEnd('/') + "/")
            : throw new TokenSourceException($"token source '{path}' of {plugin}: not a directory{(errno != 0 ? ": " + LibC.Describe(errno) : "")}");
    }

    /// <summary>The entry's real path, or why the token names nothing in here.</summary>
    public (string? RealPath, TokenLookup Refusal) Resolve(string token)
    {
        if (token is "." or ".." || token.Contains('/', StringComparison.Ordinal) || token.Contains('\0', StringComparison.Ordinal))
        {
            return (null, TokenLookup.Invalid("the token is not a plain file name"));
        }

        var real = LibC.RealPath(System.IO.Path.Combine(Path, token), out _);
        if (real is null)
        {
            return (null, TokenLookup.Unknown()); // missing, or a dangling link
        }

        return real.StartsWith(_root, StringComparison.Ordinal)
            ? (real, default)
            : (null, TokenLookup.Invalid("the entry resolves outside the token directory"));
    }
}
