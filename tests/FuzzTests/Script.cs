using System.Diagnostics;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Fuzz;

/// <summary>Runs one of the repository's scripts to the end (or to a deadline, then kills it), capturing its output.</summary>
internal static class Script
{
    public static TimeSpan LastElapsed { get; private set; }

    public static (int Status, string Output) Run(string script, IEnumerable<string> arguments, TimeSpan deadline, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryPaths.Root, script))
        {
            WorkingDirectory = RepositoryPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // A nested build must not leave an MSBuild server or nodes behind (they would outlive the test run).
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start " + script);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(deadline))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        LastElapsed = clock.Elapsed;
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
