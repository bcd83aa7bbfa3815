using System.Globalization;

namespace Websockify.Systemd;

/// <summary>One socket passed by the service manager: its fd and its LISTEN_FDNAMES name.</summary>
internal sealed record PassedFd(int Fd, string Name);

/// <summary>
/// sd_listen_fds(3), written here (Tmds.Systemd is not in our package source): sockets start at fd 3,
/// are ours only when LISTEN_PID is our pid, and are marked close-on-exec with the variables removed,
/// so a wrapped program never sees them.
/// </summary>
internal static class ListenFds
{
    public const int FirstFd = 3;

    /// <summary>The testable core: what the variables say, given our pid. Malformed values pass nothing.</summary>
    public static IReadOnlyList<PassedFd> Parse(int ourPid, string? listenPid, string? listenFds, string? listenFdNames)
    {
        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid != ourPid
            || !int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
        {
            return [];
        }

        var names = listenFdNames?.Split(':') ?? [];
        return Enumerable.Range(0, count)
            .Select(i => new PassedFd(FirstFd + i, i < names.Length && names[i].Length > 0 ? names[i] : "unknown"))
            .ToList();
    }

    /// <summary>Takes the passed sockets from this process's environment (once: the variables are removed).</summary>
    public static IReadOnlyList<PassedFd> TakeFromEnvironment()
    {
        var passed = Parse(
            Environment.ProcessId,
            Environment.GetEnvironmentVariable("LISTEN_PID"),
            Environment.GetEnvironmentVariable("LISTEN_FDS"),
            Environment.GetEnvironmentVariable("LISTEN_FDNAMES"));
        foreach (var name in new[] { "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES" })
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        foreach (var fd in passed)
        {
            Interop.LibC.SetCloseOnExec(fd.Fd);
        }

        return passed;
    }
}
