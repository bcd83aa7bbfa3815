using System.Globalization;

namespace Websockify.Wrapping;

/// <summary>
/// The processes below ours, read from /proc. A daemonizing program (vncserver starts Xtigervnc in a
/// session of its own) escapes its process group; as child subreaper the daemon adopts such orphans,
/// so "every descendant of the daemon" is exactly what the wrapped program left running.
/// </summary>
internal static class ProcessTree
{
    public readonly record struct Entry(int Pid, int ParentPid, char State);

    public static IReadOnlyList<Entry> Snapshot()
    {
        var entries = new List<Entry>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Read(pid) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>The parent pid of <paramref name="pid"/> now; null when it is gone.</summary>
    public static int? ParentOf(int pid) => Read(pid)?.ParentPid;

    /// <summary>One process's /proc/PID/stat; null when it exited while we looked.</summary>
    private static Entry? Read(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so split after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return new Entry(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), fields[0][0]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>All descendants of <paramref name="ancestor"/>, zombies included.</summary>
    public static IReadOnlyList<Entry> DescendantsOf(int ancestor, IReadOnlyList<Entry> snapshot)
    {
        var children = snapshot.ToLookup(e => e.ParentPid);
        var result = new List<Entry>();
        var queue = new Queue<int>([ancestor]);
        while (queue.Count > 0)
        {
            foreach (var child in children[queue.Dequeue()])
            {
                result.Add(child);
                queue.Enqueue(child.Pid);
            }
        }

        return result;
    }
}
