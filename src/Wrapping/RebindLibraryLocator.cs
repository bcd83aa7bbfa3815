namespace Websockify.Wrapping;

/// <summary>Finds rebind.so: <c>--rebind-lib</c>, else beside the binary as built or installed.</summary>
internal static class RebindLibraryLocator
{
    public static IEnumerable<string> Candidates(string executableDirectory) =>
    [
        Path.GetFullPath(Path.Combine(executableDirectory, "..", "lib", "rebind.so")),
        Path.GetFullPath(Path.Combine(executableDirectory, "..", "lib", "websockify", "rebind.so")),
    ];

    public static string? Find(string? explicitPath, string executableDirectory) =>
        explicitPath is not null
            ? (File.Exists(explicitPath) ? Path.GetFullPath(explicitPath) : null)
            : Candidates(executableDirectory).FirstOrDefault(File.Exists);
}
