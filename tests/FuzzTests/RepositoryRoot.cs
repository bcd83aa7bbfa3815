namespace Websockify.Tests.Fuzz;

/// <summary>The checkout these tests were built from: the corpora and the scripts are read from there.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "websockify-unix.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no websockify-unix.sln above " + AppContext.BaseDirectory);
    }

    public static string Corpus(string target) => System.IO.Path.Combine(Path, "tests", "Fuzz", "corpus", target);
}
