using CliWrap;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Test programs in C (tests/Integration/Programs), compiled once per run with the real gcc.</summary>
internal static class TestPrograms
{
    private static readonly Lazy<Task<string>> BindServerBinary = new(() => CompileAsync("bindserver"));

    public static Task<string> BindServerAsync() => BindServerBinary.Value;

    private static async Task<string> CompileAsync(string name)
    {
        var directory = Directory.CreateTempSubdirectory("websockify-programs-");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => new TemporaryDirectory(directory).Dispose(); // shared by the whole run
        var output = Path.Combine(directory.FullName, name);
        await Cli.Wrap("gcc")
            .WithArguments(["-O1", "-Wall", "-Wextra", "-Werror", "-o", output, Path.Combine(RepositoryPaths.Root, "tests", "Integration", "Programs", name + ".c")])
            .ExecuteAsync();
        return output;
    }
}
