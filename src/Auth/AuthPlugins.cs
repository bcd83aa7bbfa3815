using Websockify.Cli;

namespace Websockify.Auth;

/// <summary>
/// Every <c>--auth-plugin</c> by upstream's class name, bare or as <c>websockify.auth_plugins.NAME</c>.
/// Each decides from what the connection really is (the verified certificate, the parsed headers), and a
/// refused request never reaches target resolution, so no token lookup and no target see it.
/// </summary>
internal static class AuthPlugins
{
    public const string UpstreamModule = "websockify.auth_plugins.";

    public static readonly IReadOnlyList<AuthPlugin> All =
    [
        new("BasePlugin", _ => _ => AllowAll.Instance),
        new("BasicHTTPAuth", BasicHttpAuth.Parse),
        new("ExpectOrigin", ExpectOrigin.Parse),
        new("ClientCertCNAuth", ClientCertCnAuth.Parse),
    ];

    public static AuthPlugin Find(string name)
    {
        var bare = name.StartsWith(UpstreamModule, StringComparison.Ordinal) ? name[UpstreamModule.Length..] : name;
        return All.FirstOrDefault(p => p.Name == bare)
            ?? throw new CliUsageException(
                $"option --auth-plugin: unknown plugin '{name}' (choose from {string.Join(", ", All.Select(p => p.Name))}; " +
                $"each also as {UpstreamModule}NAME; Python classes cannot be loaded)");
    }

    /// <summary>Upstream's space-separated lists (origins, CNs): a missing or empty one would refuse everyone, so it is a usage error.</summary>
    public static IReadOnlyList<string> SpaceSeparated(string plugin, string? source, string what)
    {
        var items = (source ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return items.Length > 0 ? items : throw new CliUsageException($"--auth-plugin {plugin} needs --auth-source with {what}, separated by spaces");
    }
}
