using System.Runtime.InteropServices;

namespace Websockify.Interop;

/// <summary>
/// The calls Tmds.LibC 0.5.0 does not bind, imported from glibc directly. waitpid: no binding, nor
/// wait4/waitid, nor WNOHANG. prctl: no binding, and neither SYS_prctl nor PR_SET_CHILD_SUBREAPER for its
/// syscall(2); glibc's prctl symbol spares us a hand-kept per-architecture syscall number table.
/// </summary>
internal static partial class GlibcImports
{
    private const string Library = "libc.so.6";

    private const int PrSetChildSubreaper = 36;
    private const int WNoHang = 1;

    [LibraryImport(Library, EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Library, EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, out int status, int options);

    public static bool BecomeChildSubreaper() => Prctl(PrSetChildSubreaper, 1, 0, 0, 0) == 0;

    public static bool TryReap(int pid) => WaitPid(pid, out _, WNoHang) == pid;
}
