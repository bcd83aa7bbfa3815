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
    private static partial int Kill(int pid, int signal);

    /// <summary>Signals every process of process group <paramref name="pgid"/>; false if none is left (ESRCH).</summary>
    public static bool KillProcessGroup(int pgid, int signal) => pgid > 1 && Kill(-pgid, signal) == 0;
}
