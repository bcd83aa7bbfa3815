using Tmds.Linux;
using Sys = Tmds.Linux.LibC;

namespace Websockify.Interop;

/// <summary>
/// The few libc calls .NET has no API for, behind one facade. Every P/Invoke of the daemon lives in this
/// folder: Tmds.LibC's typed bindings where it has the call, <see cref="GlibcImports"/> where it has not.
/// </summary>
internal static class LibC
{
    /// <summary>st_dev and st_ino of <paramref name="fd"/> (fstat(2) into Tmds.LibC's struct stat).</summary>
    public static unsafe bool TryGetDeviceAndInode(int fd, out ulong device, out ulong inode)
    {
        stat status;
        if (Sys.fstat(fd, &status) != 0)
        {
            device = inode = 0;
            return false;
        }

        device = status.st_dev;
        inode = status.st_ino;
        return true;
    }

    /// <summary>kill(2) of one process; pids 0, 1 and negatives (groups, everyone) are refused.</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && Sys.kill(pid, signal) == 0;

    /// <summary>Signals every process of process group <paramref name="pgid"/>; false if none is left (ESRCH).</summary>
    public static bool KillProcessGroup(int pgid, int signal) => pgid > 1 && Sys.kill(-pgid, signal) == 0;

    /// <summary>Orphans of our descendants are re-parented to us instead of to init (prctl(2)).</summary>
    public static bool BecomeChildSubreaper() => GlibcImports.BecomeChildSubreaper();

    /// <summary>Reaps <paramref name="pid"/> if it has exited; never blocks.</summary>
    public static bool TryReap(int pid) => GlibcImports.TryReap(pid);

    /// <summary>umask(2); returns the previous mask. Only the permission bits (0777) mean anything.</summary>
    public static uint Umask(uint mask) => (ushort)Sys.umask((ushort)(mask & 0x1FF));

    /// <summary>Marks an inherited fd close-on-exec, so wrapped programs never inherit it.</summary>
    public static bool SetCloseOnExec(int fd)
    {
        var flags = Sys.fcntl(fd, Sys.F_GETFD);
        return flags >= 0 && Sys.fcntl(fd, Sys.F_SETFD, flags | Sys.FD_CLOEXEC) == 0;
    }

    /// <summary>Whether <paramref name="fd"/> is open at all.</summary>
    public static bool IsOpen(int fd) => Sys.fcntl(fd, Sys.F_GETFD) >= 0;
}
