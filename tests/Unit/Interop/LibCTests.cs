using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Websockify.Interop;
using Sys = Tmds.Linux.LibC;

namespace Websockify.Tests.Unit.Interop;

/// <summary>The libc facade against the real kernel, checked with views independent of it (stat(1), /proc).</summary>
[Collection("process umask")] // with Recording.RecordFileTests: both set the process's umask
public sealed class LibCTests : IDisposable
{
    private const int O_CLOEXEC = 0x80000; // 02000000, as /proc/self/fdinfo prints the open flags in octal
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("libc-tests-");

    public void Dispose() => directory.Delete(recursive: true);

    [Fact]
    public async Task A_datagram_comes_with_the_pid_of_the_process_that_sent_it()
    {
        var path = Path.Combine(directory.FullName, "reports.sock");
        using var receiver = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        receiver.Bind(new UnixDomainSocketEndPoint(path));
        LibC.ReceiveSenderCredentials(receiver);
        var buffer = new byte[64];
        Assert.Equal(-1, LibC.ReceiveWithSender(receiver, buffer, out _)); // nothing queued: never blocks

        // One from this process, one from a child (socat); each is told apart by its sender.
        using (var sender = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            sender.SendTo("ours"u8.ToArray(), new UnixDomainSocketEndPoint(path));
        }

        var message = NewFile("message");
        await File.WriteAllTextAsync(message, "theirs");
        using var child = Process.Start("socat", ["-u", "OPEN:" + message, "UNIX-SENDTO:" + path])!;
        await child.WaitForExitAsync();

        var read = LibC.ReceiveWithSender(receiver, buffer, out var pid);
        Assert.Equal(("ours", Environment.ProcessId), (System.Text.Encoding.ASCII.GetString(buffer, 0, read), pid));
        read = LibC.ReceiveWithSender(receiver, buffer, out pid);
        Assert.Equal(("theirs", child.Id), (System.Text.Encoding.ASCII.GetString(buffer, 0, read), pid));
    }

    [Fact]
    public void Device_and_inode_of_a_file_are_what_stat1_reports()
    {
        var path = NewFile("a");
        using var handle = File.OpenHandle(path);

        Assert.True(LibC.TryGetDeviceAndInode(Fd(handle), out var device, out var inode));

        Assert.Equal(Stat1(path), $"{device} {inode}");
    }

    [Fact]
    public void Two_fds_of_one_file_agree_and_another_file_differs()
    {
        var first = NewFile("first");
        using var one = File.OpenHandle(first);
        using var again = File.OpenHandle(first);
        using var other = File.OpenHandle(NewFile("other"));

        Assert.True(LibC.TryGetDeviceAndInode(Fd(one), out var device1, out var inode1));
        Assert.True(LibC.TryGetDeviceAndInode(Fd(again), out var device2, out var inode2));
        Assert.True(LibC.TryGetDeviceAndInode(Fd(other), out var device3, out var inode3));

        Assert.NotEqual(Fd(one), Fd(again));
        Assert.Equal((device1, inode1), (device2, inode2));
        Assert.Equal(device1, device3); // same directory, same file system
        Assert.NotEqual(inode1, inode3);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MaxValue)] // above any RLIMIT_NOFILE: surely not open, even with tests running in parallel
    public void A_fd_that_is_not_open_has_no_device_inode_nor_flags(int fd)
    {
        Assert.False(LibC.TryGetDeviceAndInode(fd, out var device, out var inode));
        Assert.Equal((0UL, 0UL), (device, inode));
        Assert.False(LibC.IsOpen(fd));
        Assert.False(LibC.SetCloseOnExec(fd));
    }

    [Fact]
    public void SetCloseOnExec_sets_the_flag_the_kernel_reports_and_keeps_the_fd_open()
    {
        using var handle = File.OpenHandle(NewFile("inherited"));
        using var other = File.OpenHandle(NewFile("other"));
        var fd = Fd(handle);
        Assert.Equal(0, Sys.fcntl(fd, Sys.F_SETFD, 0)); // .NET opens with O_CLOEXEC: clear it, as an inherited fd
        Assert.Equal(0, Sys.fcntl(Fd(other), Sys.F_SETFD, 0));
        Assert.Equal(0, OpenFlags(fd) & O_CLOEXEC);

        Assert.True(LibC.SetCloseOnExec(fd));

        Assert.Equal(O_CLOEXEC, OpenFlags(fd) & O_CLOEXEC);
        Assert.Equal(0, OpenFlags(Fd(other)) & O_CLOEXEC); // only the fd asked for
        Assert.True(LibC.IsOpen(fd));
        Assert.True(LibC.SetCloseOnExec(fd)); // idempotent
        Assert.Equal(O_CLOEXEC, OpenFlags(fd) & O_CLOEXEC);
    }

    [Fact]
    public void Signal_0_finds_our_own_process_but_not_a_pid_beyond_pid_max()
    {
        Assert.True(LibC.Kill(Environment.ProcessId, 0));
        Assert.False(LibC.Kill(BeyondPidMax(), 0));
        Assert.Null(LibC.OpenProcess(BeyondPidMax()));
    }

    [Fact]
    public void A_pidfd_signals_its_process_and_reports_when_it_has_exited()
    {
        using var child = System.Diagnostics.Process.Start("sleep", "30");
        using var pidfd = LibC.OpenProcess(child.Id);
        Assert.NotNull(pidfd);
        Assert.True(LibC.Signal(pidfd, 0));
        Assert.True(LibC.Signal(pidfd, 15));
        Assert.True(child.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.False(LibC.Signal(pidfd, 0)); // exited (and reaped): ESRCH, whatever now holds the pid
    }

    [Theory]
    [InlineData(1)]  // init
    [InlineData(0)]  // our own process group
    [InlineData(-1)] // every process we may signal
    public void Kill_refuses_pids_that_mean_more_than_one_process(int pid)
    {
        Assert.False(LibC.Kill(pid, 0));
    }

    [Fact]
    public void TryReap_reaps_nothing_that_is_not_our_child()
    {
        Assert.False(LibC.TryReap(1));
        Assert.False(LibC.TryReap(Environment.ProcessId));
        Assert.False(LibC.TryReap(BeyondPidMax()));
    }

    [Fact]
    public void Umask_returns_the_previous_mask_and_sets_the_one_the_kernel_reports()
    {
        var previous = LibC.Umask(0x17); // 027
        var seen = ProcUmask();
        var restoredFrom = LibC.Umask(previous);

        Assert.Equal(0x17u, seen);
        Assert.Equal(0x17u, restoredFrom);
        Assert.Equal(previous, ProcUmask());
    }

    private string NewFile(string name)
    {
        var path = Path.Combine(directory.FullName, name);
        File.WriteAllText(path, name);
        return path;
    }

    private static int Fd(Microsoft.Win32.SafeHandles.SafeFileHandle handle) => (int)handle.DangerousGetHandle();

    private static string Stat1(string path)
    {
        var info = new ProcessStartInfo("stat", ["-c", "%d %i", path]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var stat = Process.Start(info)!;
        var output = stat.StandardOutput.ReadToEnd();
        Assert.True(stat.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, stat.ExitCode);
        return output.Trim();
    }

    [Fact]
    public async Task A_child_inherits_the_read_end_of_an_inheritable_pipe_and_not_its_write_end()
    {
        var (read, write) = LibC.CreateInheritablePipe(out var errno) ?? throw new InvalidOperationException($"pipe2: errno {errno}");
        using var readEnd = read;
        var readFd = (int)read.DangerousGetHandle();
        var writeFd = (int)write.DangerousGetHandle();
        Assert.Equal(0, OpenFlags(readFd) & O_CLOEXEC);
        Assert.Equal(O_CLOEXEC, OpenFlags(writeFd) & O_CLOEXEC);
        using (var writer = new FileStream(write, FileAccess.Write, bufferSize: 0))
        {
            writer.Write("handed over"u8);
        }

        // The real Process.Start, as -D uses it: the child reads the pipe by number and sees no write end.
        var psi = new ProcessStartInfo("sh", ["-c", $"cat /dev/fd/{readFd}; test -e /proc/self/fd/{writeFd} && echo ' write end leaked'"]) { RedirectStandardOutput = true };
        using var child = Process.Start(psi)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        Assert.Equal("handed over", output);
    }

    /// <summary>The "flags:" line of /proc/self/fdinfo/FD: the kernel's own view of the fd, in octal.</summary>
    private static int OpenFlags(int fd)
    {
        var line = File.ReadLines($"/proc/self/fdinfo/{fd}").Single(l => l.StartsWith("flags:", StringComparison.Ordinal));
        return Convert.ToInt32(line["flags:".Length..].Trim(), 8);
    }

    /// <summary>The "Umask:" line of /proc/self/status (octal).</summary>
    private static uint ProcUmask()
    {
        var line = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("Umask:", StringComparison.Ordinal));
        return Convert.ToUInt32(line["Umask:".Length..].Trim(), 8);
    }

    /// <summary>No process can have this pid (kernel.pid_max is the exclusive upper bound).</summary>
    private static int BeyondPidMax() =>
        int.Parse(File.ReadAllText("/proc/sys/kernel/pid_max").Trim(), CultureInfo.InvariantCulture) + 1;
}
