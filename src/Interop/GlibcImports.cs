using System.Runtime.InteropServices;

namespace Websockify.Interop;

/// <summary>
/// The calls Tmds.LibC 0.5.0 does not bind, imported from glibc directly. waitpid: no binding, nor
/// wait4/waitid, nor WNOHANG. prctl: no binding, and neither SYS_prctl nor PR_SET_CHILD_SUBREAPER for its
/// syscall(2); glibc's prctl symbol spares us a hand-kept per-architecture syscall number table.
/// realpath, getpwuid_r, pidfd_open, pidfd_send_signal (glibc 2.36 wraps both): no binding.
/// </summary>
internal static unsafe partial class GlibcImports
{
    /// <summary>PATH_MAX on Linux: realpath(3) writes at most this many bytes, NUL included, into a caller's buffer.</summary>
    public const int PathMax = 4096;

    private const string Library = "libc.so.6";

    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport(Library, EntryPoint = "realpath", SetLastError = true)]
    private static partial byte* RealPath(byte* path, byte* resolved);

    [LibraryImport(Library, EntryPoint = "getpwuid_r")]
    private static partial int GetPwUidR(uint uid, Passwd* entry, byte* buffer, nuint length, Passwd** result);

    [LibraryImport(Library, EntryPoint = "pidfd_open", SetLastError = true)]
    private static partial int PidFdOpen(int pid, uint flags);

    [LibraryImport(Library, EntryPoint = "pidfd_send_signal", SetLastError = true)]
    private static partial int PidFdSendSignal(int pidfd, int signal, nint info, uint flags);

    [LibraryImport(Library, EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUid();

    public static bool BecomeChildSubreaper() => Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    /// <summary>pidfd_open(2): an fd that names this one process for as long as it is open, or -1.</summary>
    public static int OpenPidFd(int pid) => PidFdOpen(pid, 0);

    /// <summary>pidfd_send_signal(2): never reaches a process that merely reuses the pid.</summary>
    public static bool SendSignal(int pidfd, int signal) => PidFdSendSignal(pidfd, signal, 0, 0) == 0;

    public static bool TryReap(int pid) => WaitPid(pid, out _, WNoHang) == pid;

    /// <summary>realpath(3) of a NUL-terminated path into <paramref name="resolved"/> (at least <see cref="PathMax"/> bytes).</summary>
    /// <returns>The length of the resolved path, or -1 with errno set.</returns>
    public static int RealPath(ReadOnlySpan<byte> path, Span<byte> resolved)
    {
        if (resolved.Length < PathMax)
        {
            throw new ArgumentException("buffer shorter than PATH_MAX", nameof(resolved));
        }

        fixed (byte* p = path)
        fixed (byte* r = resolved)
        {
            return RealPath(p, r) is null ? -1 : resolved.IndexOf((byte)0);
        }
    }

    /// <summary>getpwuid_r(3); null when there is no entry (or it could not be read).</summary>
    public static PasswdEntry? GetPasswdEntry(uint uid)
    {
        const int ERange = 34;
        const int MaxBuffer = 1 << 20; // an entry is a few hundred bytes; bounded in case NSS keeps asking for more
        for (var size = 1024; size <= MaxBuffer; size *= 4)
        {
            var buffer = new byte[size];
            Passwd entry;
            Passwd* result = null;
            int error;
            fixed (byte* b = buffer)
            {
                error = GetPwUidR(uid, &entry, b, (nuint)size, &result);
                if (error == 0)
                {
                    return result is null
                        ? null
                        : new PasswdEntry(Text(entry.Name), entry.Uid, entry.Gid, Text(entry.Directory), Text(entry.Shell));
                }
            }

            if (error != ERange)
            {
                return null;
            }
        }

        return null;
    }

    private static string Text(byte* value) => value is null ? "" : Marshal.PtrToStringUTF8((nint)value) ?? "";

    /// <summary>glibc's struct passwd (pwd.h), field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public byte* Name;
        public byte* Password;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Directory;
        public byte* Shell;
    }
}
