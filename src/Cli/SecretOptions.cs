namespace Websockify.Cli;

/// <summary>
/// The options that carry or name the key password. <c>-D</c> re-executes the binary, and its command
/// line is readable by every user (<c>ps</c>, /proc/PID/cmdline): the daemon's copy of argv goes without
/// them, and the password travels separately (<see cref="Hosting.Daemonizer"/>).
/// </summary>
internal static class SecretOptions
{
    private static readonly string[] Names = ["key-password", "key-password-file"];

    /// <summary>
    /// <paramref name="argv"/> without every element that gave one of these options, found by the same
    /// tokenizer that parsed them, so <c>--key-password=X</c>, <c>--key-password X</c> and abbreviations
    /// go, and a value that merely looks like one (<c>--cert --key-password</c>) or anything after
    /// <c>--</c> stays.
    /// </summary>
    public static IReadOnlyList<string> Without(IReadOnlyList<string> argv)
    {
        var dropped = new HashSet<int>();
        foreach (var occurrence in ArgumentTokenizer.Tokenize(argv).Occurrences)
        {
            if (Names.Contains(occurrence.Long, StringComparer.Ordinal))
            {
                for (var i = occurrence.First; i <= occurrence.Last; i++)
                {
                    dropped.Add(i);
                }
            }
        }

        return argv.Where((_, i) => !dropped.Contains(i)).ToList();
    }
}
