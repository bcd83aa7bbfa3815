using Websockify.Interop;

namespace Websockify.Wrapping;

/// <summary>
/// The wrapped program's processes: every live descendant of the daemon. The daemon is their child
/// subreaper, so what the program forks or daemonizes stays below it, and nothing else ever is. Signals
/// go to those processes one by one through a pidfd, never to a process group or a bare pid: a group
/// that emptied may have been reused by an unrelated session, and a pid by an unrelated process.
/// </summary>
internal static class WrappedTree
{
    public static IReadOnlyList<ProcessTree.Entry> Live(IReadOnlyList<ProcessTree.Entry> snapshot) =>
        ProcessTree.DescendantsOf(Environment.ProcessId, snapshot).Where(p => p.State != 'Z').ToList();

    /// <summary>Whether <paramref name="pid"/> is one of the daemon's descendants: its parents lead to us.</summary>
    public static bool Contains(int pid)
    {
        const int MaxDepth = 256; // a cycle cannot happen in /proc, but a bound costs nothing
        var self = Environment.ProcessId;
        var current = pid;
        for (var depth = 0; depth < MaxDepth && current > 1 && current != self; depth++)
        {
            if (ProcessTree.ParentOf(current) is not { } parent)
            {
                return false;
            }

            if (parent == self)
            {
                return true;
            }

            current = parent;
        }

        return false;
    }

    public static void Signal(int signal)
    {
        foreach (var process in Live(ProcessTree.Snapshot()))
        {
            using var pidfd = LibC.OpenProcess(process.Pid);
            // The pidfd now names one process. If the pid was reused since the snapshot, the process it
            // names has a different parent; the one we saw cannot be reused while the fd is open.
            if (pidfd is not null && ProcessTree.ParentOf(process.Pid) == process.ParentPid)
            {
                LibC.Signal(pidfd, signal);
            }
        }
    }
}
