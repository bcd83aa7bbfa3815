using System.Runtime.InteropServices;

namespace Websockify.Interop;

/// <summary>The few libc calls .NET has no API for. Every P/Invoke of the daemon lives in this folder.</summary>
internal static partial class LibC
{
    private const string Library = "libc.so.6";

    /// <summary>Large enough for struct stat on every 64-bit Linux ABI (x86_64: 144 bytes).</summary>
    private const int StatBufferSize = 256;

    [LibraryImport(Library, EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* statBuffer);

    /// <summary>st_dev and st_ino, the first two 64-bit fields of struct stat on 64-bit Linux.</summary>
    public static unsafe bool TryGetDeviceAndInode(int fd, out ulong device, out ulong inode)
    {
        var buffer = stackalloc byte[StatBufferSize];
        if (FStat(fd, buffer) != 0)
        {
            device = inode = 0;
            return false;
        }

        device = ((ulong*)buffer)[0];
        inode = ((ulong*)buffer)[1];
        return true;
    }

    [LibraryImport(Library, EntryPoint = "kill", SetLastError = true)]
    private static partial int KillRaw(int pid, int signal);

    public static bool Kill(int pid, int signal) => pid > 1 && KillRaw(pid, signal) == 0;

    /// <summary>Signals every process of process group <paramref name="pgid"/>; false if none is left (ESRCH).</summary>
    public static bool KillProcessGroup(int pgid, int signal) => pgid > 1 && KillRaw(-pgid, signal) == 0;

    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    /// <summary>Orphans of our descendants are re-parented to us instead of to init (prctl(2)).</summary>
    public static bool BecomeChildSubreaper() => Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>Reaps <paramref name="pid"/> if it has exited; never blocks.</summary>
    public static bool TryReap(int pid) => WaitPid(pid, out _, WNoHang) == pid;

    private const int FGetFd = 1;
    private const int FSetFd = 2;
    private const int FdCloexec = 1;

    [LibraryImport(Library, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport(Library, EntryPoint = "umask")]
    public static partial uint Umask(uint mask);

    /// <summary>Marks an inherited fd close-on-exec, so wrapped programs never inherit it.</summary>
    public static bool SetCloseOnExec(int fd)
    {
        var flags = Fcntl(fd, FGetFd, 0);
        return flags >= 0 && Fcntl(fd, FSetFd, flags | FdCloexec) == 0;
    }

    /// <summary>Whether <paramref name="fd"/> is open at all.</summary>
    public static bool IsOpen(int fd) => Fcntl(fd, FGetFd, 0) >= 0;
}
