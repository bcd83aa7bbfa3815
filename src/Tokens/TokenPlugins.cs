using Websockify.Cli;

namespace Websockify.Tokens;

/// <summary>
/// Every <c>--token-plugin</c> by upstream's class name. Upstream imports a bare name from
/// <c>websockify.token_plugins</c> and a dotted one as written; here both spellings of a built-in
/// plugin work, and any other name is a usage error that lists the ones there are.
/// </summary>
internal static class TokenPlugins
{
    public const string UpstreamModule = "websockify.token_plugins.";

    public static readonly IReadOnlyList<TokenPlugin> All =
    [
        // Upstream's base class: every lookup finds nothing (a way to refuse every token while keeping the port up).
        new("BasePlugin", (_, _) => _ => NoTokens.Instance),
        TokenFile.Plugin,
        ReadOnlyTokenFile.Plugin,
        TokenFileName.Plugin,
        UnixDomainSocketDirectory.Plugin,
        TokenApi.BasePlugin,
        TokenApi.JsonPlugin,
        JwtTokenApi.Plugin,
        new("TokenRedis", (source, _) =>
        {
            var redis = TokenRedisSource.Parse(source);
            return context => TokenRedis.Open(redis, context);
        }),
    ];

    public static TokenPlugin Find(string name)
    {
        var bare = name.StartsWith(UpstreamModule, StringComparison.Ordinal) ? name[UpstreamModule.Length..] : name;
        return All.FirstOrDefault(p => p.Name == bare)
            ?? throw new CliUsageException(
                $"option --token-plugin: unknown plugin '{name}' (choose from {string.Join(", ", All.Select(p => p.Name))}; " +
                $"each also as {UpstreamModule}NAME; Python classes cannot be loaded)");
    }
}
