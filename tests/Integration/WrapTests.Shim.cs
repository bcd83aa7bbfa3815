using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// rebind.so's edges, each with a program that does what real daemons do: UDP on the same port, thousands
/// of open files, listening on a dup'd fd, closing behind the shim's back, threads reading the
/// environment, re-executing itself. And the port-report socket, which only the program may talk to.
/// </summary>
public sealed partial class WrapTests
{
    [Fact]
    public async Task A_udp_bind_of_the_port_stays_where_the_program_put_it()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "4", "--udp");
        var greeting = await GreetingAsync(port);
        Assert.StartsWith("hello", greeting);
        Assert.EndsWith($" udp=0.0.0.0:{port}", greeting); // not moved to loopback, and the TCP bind still was
    }

    [Fact]
    public async Task A_program_with_thousands_of_open_files_is_reached_on_its_high_numbered_socket()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "4", "--open-files", "4200");
        var greeting = await GreetingAsync(port);
        Assert.StartsWith("hello", greeting);
        Assert.True(int.Parse(greeting.Split("fd=")[1]) >= 4200, greeting);
    }

    [Fact]
    public async Task A_program_that_listens_on_a_dup3_copy_of_its_socket_is_reached()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "both", "--dup-listen");
        Assert.StartsWith("hello", await GreetingAsync(port));
    }

    [Fact]
    public async Task A_socket_that_reuses_the_fd_of_a_probe_closed_by_close_range_is_not_taken_for_the_program()
    {
        // The program probes the port, closes the probe with close_range(2) (which no LD_PRELOAD sees),
        // listens on an unrelated socket that gets the same fd number, and only then on the real one.
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "4", "--stale-decoy", "--listen-delay", "300");
        Assert.EndsWith(" 4", await GreetingAsync(port));
    }

    [Fact]
    public async Task Bind_never_changes_the_programs_environment_array_or_its_entries()
    {
        // setenv() from inside bind() can move environ, or swap an entry, under a getenv() in another thread.
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "both", "--check-environ");
        Assert.StartsWith("hello", await GreetingAsync(port));
    }

    [Fact]
    public async Task A_program_that_probes_and_re_executes_itself_binds_the_probed_port_in_both_families()
    {
        var port = TcpTarget.UnusedPort();
        await using var daemon = await StartWrappedAsync(port, "exit", "both", "--reexec");
        Assert.StartsWith("hello", await GreetingAsync(port)); // the re-executed program exits 18 on another port
    }

    [Fact]
    public async Task A_port_report_from_a_process_outside_the_program_is_ignored()
    {
        // Any process of the same user can reach the report socket; it must not redirect sessions.
        await using var decoy = TcpTarget.Start(async socket => await socket.SendAsync(Encoding.ASCII.GetBytes("decoy\n")));
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        var scratch = Directory.CreateTempSubdirectory("websockify-forged-");
        using var cleanup = new TemporaryDirectory(scratch);
        var pidFile = Path.Combine(scratch.FullName, "pid");
        var starting = DaemonProcess.StartAsync(
            ["--wrap-mode=exit", $"127.0.0.1:{port}", "--", "sh", "-c", "echo $$ > \"$0\"; exec \"$1\" \"$2\" 4 --listen-delay 2000", pidFile, server, port.ToString()]);
        var programPid = 0;
        for (var i = 0; i < 400 && programPid == 0; i++)
        {
            await Task.Delay(25);
            _ = File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile), out programPid);
        }

        var reportSocket = (await File.ReadAllTextAsync($"/proc/{programPid}/environ")).Split('\0')
            .Single(v => v.StartsWith("REBIND_REPORT_SOCKET=", StringComparison.Ordinal)).Split('=', 2)[1];

        using (var forger = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified))
        {
            await forger.SendToAsync(Encoding.ASCII.GetBytes($"4 {decoy.Port}\n"), SocketFlags.None, new UnixDomainSocketEndPoint(reportSocket));
        }

        await using var daemon = await starting;
        Assert.False(daemon.Lines.Any(l => l.Contains($":{decoy.Port}", StringComparison.Ordinal)), string.Join("\n", daemon.Lines));
        await daemon.WaitForLineAsync(l => l.Contains($"Ignoring a port report from process {Environment.ProcessId}", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.EndsWith(" 4", await GreetingAsync(port));
        Assert.Equal(0, decoy.Accepted);
    }
}
