using System.Net;
using System.Net.Sockets;
using Websockify.Systemd;

namespace Websockify.Tests.Unit.Systemd;

/// <summary>The testable seam of sd_listen_fds: pid and variables passed in, as Tmds.Systemd's tests do.</summary>
public sealed class ListenFdsTests
{
    [Fact]
    public void Sockets_start_at_fd_3_with_their_names()
    {
        var passed = ListenFds.Parse(1234, "1234", "3", "web:tls");
        Assert.Equal([new PassedFd(3, "web"), new PassedFd(4, "tls"), new PassedFd(5, "unknown")], passed);
    }

    [Theory]
    [InlineData("999", "1")]     // for another process (a parent that forgot to unset them)
    [InlineData(null, "1")]
    [InlineData("1234", "0")]
    [InlineData("1234", "x")]
    [InlineData("1234", "-2")]
    public void Variables_not_meant_for_us_pass_nothing(string? pid, string? fds) =>
        Assert.Empty(ListenFds.Parse(1234, pid, fds, null));

    [Theory]
    [InlineData("1000000", null, 1000.0)]
    [InlineData("1000000", "1234", 1000.0)]
    public void Watchdog_interval_for_us(string usec, string? pid, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), ServiceNotifier.ParseWatchdog(1234, usec, pid));

    [Theory]
    [InlineData("1000000", "999")]
    [InlineData("0", null)]
    [InlineData(null, null)]
    public void Watchdog_not_for_us(string? usec, string? pid) => Assert.Null(ServiceNotifier.ParseWatchdog(1234, usec, pid));

    [Fact]
    public void Notify_messages_follow_sd_notify()
    {
        Assert.Equal("READY=1\nMAINPID=42", NotifyMessages.Join(NotifyMessages.Ready, NotifyMessages.MainPid(42)));
        Assert.Equal("STATUS=1 session; proxying to h:1", NotifyMessages.SessionStatus(1, "h:1"));
        Assert.Equal("STATUS=2 sessions; proxying to h:1", NotifyMessages.SessionStatus(2, "h:1"));
        Assert.Equal("RELOADING=1\nMONOTONIC_USEC=5", NotifyMessages.Reloading(5));
        Assert.Equal("STATUS=a b", NotifyMessages.Status("a\nb"));
    }

    [Fact]
    public void Inherited_listening_and_connected_sockets_are_told_apart()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);

        // Duplicate the handles, as a service manager's fds would be, so the adopted sockets own their own fds.
        var listenerFd = Dup((int)listener.Handle);
        var clientFd = Dup((int)client.Handle);
        var inherited = InheritedSockets.Adopt([new PassedFd(listenerFd, "a"), new PassedFd(clientFd, "b")]);

        Assert.Single(inherited.Listeners);
        Assert.Equal(listener.LocalEndPoint, inherited.Listeners[0].LocalEndPoint);
        Assert.Equal(client.LocalEndPoint, inherited.Connection!.LocalEndPoint);
        inherited.Listeners[0].Dispose();
        inherited.Connection.Dispose();
    }

    [Fact]
    public void More_passed_sockets_than_the_cap_is_a_start_up_error_before_any_fd_is_touched()
    {
        // fds that are not open at all: the count is checked first, so no fd is adopted (or closed).
        var passed = Enumerable.Range(0, Limits.MaxPassedSockets + 1).Select(i => new PassedFd(100_000 + i, "many")).ToList();

        var error = Assert.Throws<Websockify.Listening.ListenException>(() => InheritedSockets.Adopt(passed));

        Assert.Equal($"{Limits.MaxPassedSockets + 1} sockets were passed (LISTEN_FDS); at most {Limits.MaxPassedSockets} are served", error.Message);
    }

    [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "dup")]
    private static extern int Dup(int fd);
}
