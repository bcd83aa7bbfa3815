namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Finds the binary under test: $WEBSOCKIFY_BIN, else build/bin/websockify in the checkout.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Binary { get; } =
        Environment.GetEnvironmentVariable("WEBSOCKIFY_BIN") is { Length: > 0 } bin ? bin : Path.Combine(Root, "build", "bin", "websockify");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "websockify-unix.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (websockify-unix.sln)");
    }
}
