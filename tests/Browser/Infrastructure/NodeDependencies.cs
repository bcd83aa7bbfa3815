using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>
/// playwright-core, exactly as tests/Browser/package-lock.json pins it: tests/Browser/install-node-deps.sh
/// (npm ci unless node_modules holds that version) once per run. tests/run-all.sh runs it first; this
/// covers a bare <c>dotnet test tests/Browser</c>. No browser is downloaded: the tests use Debian's chromium.
/// </summary>
internal static class NodeDependencies
{
    private static readonly Lazy<Task> Installed = new(InstallAsync);

    public static string Directory { get; } = Path.Combine(RepositoryPaths.Root, "tests", "Browser");

    public static Task EnsureAsync() => Installed.Value;

    private static async Task InstallAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var result = await Cli.Wrap(Path.Combine(Directory, "install-node-deps.sh"))
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(timeout.Token);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"install-node-deps.sh failed ({result.ExitCode}):\n{result.StandardOutput}\n{result.StandardError}");
        }
    }
}
