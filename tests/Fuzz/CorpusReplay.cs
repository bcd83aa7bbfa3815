namespace Websockify.Fuzz;

/// <summary>One corpus file that made its target fail, and how.</summary>
public sealed record ReplayFailure(string File, Exception Error);

/// <summary>Runs every file of a corpus directory through a target in-process (no afl): the regression check.</summary>
public static class CorpusReplay
{
    /// <returns>How many files ran, and those that failed.</returns>
    public static (int Files, IReadOnlyList<ReplayFailure> Failures) Run(IFuzzTarget target, string directory)
    {
        var files = Directory.GetFiles(directory, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "README.md")
            .Order(StringComparer.Ordinal)
            .ToList();
        var failures = new List<ReplayFailure>();
        foreach (var file in files)
        {
            try
            {
                target.Run(File.ReadAllBytes(file));
            }
#pragma warning disable CA1031 // any exception at all is the finding being collected
            catch (Exception ex)
#pragma warning restore CA1031
            {
                failures.Add(new ReplayFailure(file, ex));
            }
        }

        return (files.Count, failures);
    }
}
