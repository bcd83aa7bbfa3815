using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;
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

    /// <summary>A pidfd for <paramref name="pid"/> (pidfd_open(2)); null when it is gone (or pids 0 and 1).</summary>
    public static SafeFileHandle? OpenProcess(int pid)
    {
        var fd = pid > 1 ? GlibcImports.OpenPidFd(pid) : -1;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>Signals the process a pidfd names (pidfd_send_signal(2)); false once it has exited.</summary>
    public static bool Signal(SafeFileHandle process, int signal) => WithFd(process, fd => GlibcImports.SendSignal(fd, signal));

    /// <summary>Orphans of our descendants are re-parented to us instead of to init (prctl(2)).</summary>
    public static bool BecomeChildSubreaper() => GlibcImports.BecomeChildSubreaper();

    /// <summary>Reaps <paramref name="pid"/> if it has exited; never blocks.</summary>
    public static bool TryReap(int pid) => GlibcImports.TryReap(pid);

    /// <summary>The passwd entry of the user this process runs as (effective uid); null when there is none.</summary>
    public static PasswdEntry? CurrentUser() => GlibcImports.GetPasswdEntry(GlibcImports.GetEffectiveUid());

    /// <summary>umask(2); returns the previous mask. Only the permission bits (0777) mean anything.</summary>
    public static uint Umask(uint mask) => (ushort)Sys.umask((ushort)(mask & 0x1FF));

    /// <summary>Marks an inherited fd close-on-exec, so wrapped programs never inherit it.</summary>
    public static bool SetCloseOnExec(int fd)
    {
        var flags = Sys.fcntl(fd, Sys.F_GETFD);
        return flags >= 0 && Sys.fcntl(fd, Sys.F_SETFD, flags | Sys.FD_CLOEXEC) == 0;
    }

    /// <summary>
    /// A pipe (pipe2(2)) whose write end is close-on-exec and whose read end is not, so a child started
    /// now inherits the read end only, under the same fd number; null, with errno, when none could be made.
    /// </summary>
    public static unsafe (SafeFileHandle Read, SafeFileHandle Write)? CreateInheritablePipe(out int errno)
    {
        var fds = stackalloc int[2];
        if (Sys.pipe2(fds, Sys.O_CLOEXEC) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        var read = new SafeFileHandle(fds[0], ownsHandle: true);
        var write = new SafeFileHandle(fds[1], ownsHandle: true);
        var flags = Sys.fcntl(fds[0], Sys.F_GETFD);
        if (flags < 0 || Sys.fcntl(fds[0], Sys.F_SETFD, flags & ~Sys.FD_CLOEXEC) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            read.Dispose();
            write.Dispose();
            return null;
        }

        errno = 0;
        return (read, write);
    }

    /// <summary>Whether <paramref name="fd"/> is open at all.</summary>
    public static bool IsOpen(int fd) => Sys.fcntl(fd, Sys.F_GETFD) >= 0;

    /// <summary>
    /// realpath(3): the absolute path with every symbolic link, <c>.</c> and <c>..</c> resolved; null, with
    /// errno, when it does not resolve (missing, a loop, no search permission).
    /// </summary>
    public static string? RealPath(string path, out int errno)
    {
        if (!TryNulTerminated(path, out var bytes))
        {
            errno = Sys.ENOENT;
            return null;
        }

        var resolved = new byte[GlibcImports.PathMax];
        var length = GlibcImports.RealPath(bytes, resolved);
        errno = length < 0 ? Marshal.GetLastPInvokeError() : 0;
        return length < 0 ? null : Encoding.UTF8.GetString(resolved, 0, length);
    }

    /// <summary>lstat(2): a symbolic link is reported as <see cref="FileKind.Other"/>, never followed.</summary>
    public static unsafe bool TryGetLinkStatus(string path, out FileStatus status, out int errno)
    {
        status = default;
        if (!TryNulTerminated(path, out var bytes))
        {
            errno = Sys.ENOENT;
            return false;
        }

        stat raw;
        fixed (byte* p = bytes)
        {
            if (Sys.lstat(p, &raw) != 0)
            {
                errno = Marshal.GetLastPInvokeError();
                return false;
            }
        }

        errno = 0;
        status = ToStatus(raw);
        return true;
    }

    /// <summary>
    /// A listening Unix stream socket bound to <paramref name="path"/> with socket(2), bind(2) and listen(2)
    /// instead of .NET's Socket.Bind, which unlinks the path when the socket is disposed whoever's file
    /// it is by then. Null, with errno, when a step fails (nothing is left open).
    /// </summary>
    public static unsafe Socket? ListenUnix(string path, int backlog, out int errno)
    {
        const int AfUnix = 1, SockStream = 1, SockCloexec = 0x80000, SunPathOffset = 2, SunPathLength = 108;
        if (!TryNulTerminated(path, out var bytes) || bytes.Length > SunPathLength)
        {
            errno = Sys.ENAMETOOLONG;
            return null;
        }

        var fd = Sys.socket(AfUnix, SockStream | SockCloexec, 0);
        if (fd < 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return null;
        }

        var address = stackalloc byte[SunPathOffset + SunPathLength];
        new Span<byte>(address, SunPathOffset + SunPathLength).Clear();
        *(ushort*)address = AfUnix;
        bytes.CopyTo(new Span<byte>(address + SunPathOffset, SunPathLength));
        if (Sys.bind(fd, (sockaddr*)address, (socklen_t)(SunPathOffset + bytes.Length)) != 0 || Sys.listen(fd, backlog) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            Sys.close(fd);
            return null;
        }

        errno = 0;
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true)); // as adopted sockets: .NET knows no file to delete
    }

    /// <summary>fstat(2) of an open file.</summary>
    public static unsafe bool TryGetStatus(SafeFileHandle handle, out FileStatus status)
    {
        stat raw;
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            var ok = Sys.fstat((int)handle.DangerousGetHandle(), &raw) == 0;
            status = ok ? ToStatus(raw) : default;
            return ok;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens a file for reading without ever blocking or following a final symbolic link: O_NOFOLLOW,
    /// O_NONBLOCK (a fifo opens at once instead of waiting for a writer), O_NOCTTY, O_CLOEXEC.
    /// </summary>
    public static SafeFileHandle? OpenForReading(string path, out int errno) =>
        Open(path, Sys.O_RDONLY | Sys.O_NOFOLLOW | Sys.O_NONBLOCK | Sys.O_NOCTTY | Sys.O_CLOEXEC, 0, out errno);

    /// <summary>
    /// Opens for appending, creating it 0644 if missing, never through a symbolic link (O_NOFOLLOW): a
    /// link planted at a log path must not redirect the daemon's writes (ELOOP instead).
    /// </summary>
    public static SafeFileHandle? OpenForAppend(string path, out int errno) =>
        Open(path, Sys.O_WRONLY | Sys.O_APPEND | Sys.O_CREAT | Sys.O_NOFOLLOW | Sys.O_NOCTTY | Sys.O_CLOEXEC, 0x1A4, out errno);

    /// <summary>
    /// Creates or truncates a private file (mode 0600 whatever the umask) for writing, never through a
    /// symbolic link (ELOOP) and without waiting on a fifo (O_NONBLOCK: ENXIO with no reader).
    /// </summary>
    public static SafeFileHandle? CreatePrivateTruncating(string path, out int errno) =>
        Open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_TRUNC | Sys.O_NOFOLLOW | Sys.O_NONBLOCK | Sys.O_NOCTTY | Sys.O_CLOEXEC, 0x180, out errno);

    /// <summary>Creates a new file 0644: fails (EEXIST) if anything is at the path, a symbolic link included.</summary>
    public static SafeFileHandle? CreateExclusive(string path, out int errno) =>
        Open(path, Sys.O_WRONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_NOFOLLOW | Sys.O_NOCTTY | Sys.O_CLOEXEC, 0x1A4, out errno);

    /// <summary>
    /// A write lock on the whole file that belongs to this open file description (fcntl F_OFD_SETLK):
    /// false when another one holds a lock on it. Not flock(2): .NET takes flock locks itself to emulate
    /// FileShare, so an exclusive flock would make File.ReadAllText of the file fail in .NET tools.
    /// </summary>
    public static unsafe bool TryLockExclusive(SafeFileHandle handle) => WithFd(handle, fd =>
    {
        var whole = new flock { l_type = (short)Sys.F_WRLCK, l_whence = (short)Sys.SEEK_SET, l_start = 0, l_len = 0, l_pid = 0 };
        return Sys.fcntl(fd, Sys.F_OFD_SETLK, &whole) == 0;
    });

    /// <summary>
    /// Asks the kernel to attach the sending process's credentials to every datagram this socket receives
    /// (SO_PASSCRED): the sender cannot forge them, a process is only ever given its own pid.
    /// </summary>
    public static void ReceiveSenderCredentials(Socket socket) =>
        socket.SetRawSocketOption(Sys.SOL_SOCKET, Sys.SO_PASSCRED, BitConverter.GetBytes(1));

    /// <summary>
    /// One datagram without waiting (recvmsg(2), MSG_DONTWAIT), with the pid of the process that sent it
    /// (SCM_CREDENTIALS; 0 when none came with it). -1 when none is queued or the call failed.
    /// </summary>
    public static unsafe int ReceiveWithSender(Socket socket, Span<byte> buffer, out int senderPid)
    {
        senderPid = 0;
        var controlLength = (int)Sys.CMSG_SPACE(sizeof(SenderCredentials));
        var control = stackalloc byte[controlLength];
        long read;
        fixed (byte* data = buffer)
        {
            var vector = new iovec { iov_base = data, iov_len = (size_t)buffer.Length };
            var message = new msghdr { msg_iov = &vector, msg_iovlen = 1, msg_control = control, msg_controllen = (socklen_t)controlLength };
            var added = false;
            socket.SafeHandle.DangerousAddRef(ref added);
            try
            {
                read = Sys.recvmsg((int)socket.SafeHandle.DangerousGetHandle(), &message, Sys.MSG_DONTWAIT);
            }
            finally
            {
                if (added)
                {
                    socket.SafeHandle.DangerousRelease();
                }
            }

            if (read < 0)
            {
                return -1;
            }

            for (var header = Sys.CMSG_FIRSTHDR(&message); header is not null; header = Sys.CMSG_NXTHDR(&message, header))
            {
                if (header->cmsg_level == Sys.SOL_SOCKET && header->cmsg_type == Sys.SCM_CREDENTIALS)
                {
                    senderPid = ((SenderCredentials*)Sys.CMSG_DATA(header))->Pid;
                }
            }
        }

        return (int)read;
    }

    /// <summary>strerror(3) of an errno value, for messages.</summary>
    public static string Describe(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>struct ucred (sys/socket.h), which Tmds.LibC does not declare.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct SenderCredentials
    {
        public int Pid;
        public uint Uid;
        public uint Gid;
    }

    private static unsafe SafeFileHandle? Open(string path, int flags, int mode, out int errno)
    {
        if (!TryNulTerminated(path, out var bytes))
        {
            errno = Sys.ENOENT;
            return null;
        }

        int fd;
        fixed (byte* p = bytes)
        {
            fd = Sys.open(p, flags, (ushort)mode);
        }

        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    private static bool WithFd(SafeFileHandle handle, Func<int, bool> call)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static FileStatus ToStatus(in stat raw)
    {
        const int TypeMask = 0xF000, SocketType = 0xC000; // S_IFMT, S_IFSOCK
        var kind = Sys.S_ISREG(raw.st_mode) ? FileKind.Regular
            : Sys.S_ISDIR(raw.st_mode) ? FileKind.Directory
            : (raw.st_mode & TypeMask) == SocketType ? FileKind.Socket
            : FileKind.Other;
        long seconds = raw.st_mtim.tv_sec;
        long nanoseconds = raw.st_mtim.tv_nsec;
        return new FileStatus(kind, raw.st_size, (seconds * 1_000_000_000) + nanoseconds, raw.st_dev, raw.st_ino);
    }

    /// <summary>The path as C wants it; false when it holds a NUL, which would silently cut it short.</summary>
    private static bool TryNulTerminated(string path, out byte[] bytes)
    {
        bytes = [];
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        return true;
    }
}
