using System.Net.Sockets;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Container;

/// <summary>
/// The package's life cycle with instances running: removal stops every one of them (services and
/// sockets of the templates, not only websockify.service), purge disables the enabled ones, an upgrade
/// restarts what runs on the new binary. The RPM's scriptlets are run here too, on the same units.
/// Each test leaves the .deb installed again.
/// </summary>
public sealed partial class ShippedUnitsTests
{
    private const string Package = "websockify-unix";

    [Fact]
    public async Task Removing_the_package_stops_every_instance_and_purging_disables_them()
    {
        await using var target = TcpTarget.Echo();
        var (service, socket) = (TcpTarget.UnusedPort(), TcpTarget.UnusedPort());
        await WriteEchoInstanceAsync(service, target);
        await WriteEchoInstanceAsync(socket, target);
        try
        {
            await system.Run(["systemctl", "start", $"websockify@{service}.service"]);
            await system.Run(["systemctl", "enable", "--now", $"websockify@{socket}.socket"]);
            await using (var session = await RawWebSocketClient.ConnectAsync(socket, protocols: "binary"))
            {
                await session.AssertEchoAsync("activated before removal"); // websockify@SOCKET.service runs too
            }

            var pids = (await UnitPidsAsync($"websockify@{service}.service")).Concat(await UnitPidsAsync($"websockify@{socket}.service")).ToList();
            Assert.True(pids.Count >= 2, $"expected both daemons, got {pids.Count} processes");

            await system.Run(["apt-get", "remove", "-y", "-q", Package]);

            foreach (var unit in new[] { $"websockify@{service}.service", $"websockify@{socket}.socket", $"websockify@{socket}.service" })
            {
                Assert.True(await system.Property(unit, "ActiveState") is "inactive" or "failed", $"{unit} still {await system.Property(unit, "ActiveState")} after removal");
            }

            foreach (var pid in pids)
            {
                Assert.True((await system.Run(["kill", "-0", pid], check: false)).ExitCode != 0, $"process {pid} still runs after removal");
            }

            var commands = (await system.Run(["ps", "-e", "-o", "comm="])).StandardOutput.Split('\n', StringSplitOptions.TrimEntries);
            Assert.DoesNotContain("websockify", commands);
            foreach (var port in new[] { service, socket })
            {
                await Assert.ThrowsAsync<SocketException>(() => RawWebSocketClient.ConnectAsync(port));
            }

            // The enabled socket's link in sockets.target.wants now dangles; purge takes it away.
            var link = $"/etc/systemd/system/sockets.target.wants/websockify@{socket}.socket";
            Assert.Equal(0, (await system.Run(["test", "-L", link], check: false)).ExitCode);
            await system.Run(["apt-get", "purge", "-y", "-q", Package]);
            Assert.NotEqual(0, (await system.Run(["test", "-L", link], check: false)).ExitCode);
        }
        finally
        {
            // Installed again first, so that disabling finds the unit files (the link may still be there).
            await system.Run(["apt-get", "install", "-y", "-q", "/root/websockify-unix.deb"]);
            await StopAndForgetAsync(service, socket);
        }
    }

    [Fact]
    public async Task Upgrading_the_package_restarts_running_instances_on_the_new_binary()
    {
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        var unit = $"websockify@{port}.service";
        await WriteEchoInstanceAsync(port, target);
        try
        {
            await system.Run(["systemctl", "start", unit]);
            var before = await system.Property(unit, "MainPID");

            await system.Run(["apt-get", "install", "-y", "-q", "--reinstall", "/root/websockify-unix.deb"]);

            Assert.Equal("active", await system.Property(unit, "ActiveState"));
            var after = await system.Property(unit, "MainPID");
            Assert.NotEqual(before, after);
            Assert.Equal("/usr/bin/websockify", (await system.Run(["readlink", $"/proc/{after}/exe"])).StandardOutput.Trim()); // not "(deleted)"
            await using var session = await RawWebSocketClient.ConnectAsync(port, protocols: "binary");
            await session.AssertEchoAsync("after the upgrade");
        }
        finally
        {
            await system.Run(["systemctl", "stop", unit], check: false);
            File.Delete(Path.Combine(system.Root, $"etc/websockify/{port}.conf"));
        }
    }

    [Fact]
    public async Task Rpm_scriptlets_restart_instances_on_upgrade_and_stop_and_disable_them_on_erase()
    {
        // The .rpm's own %post and %preun, run by sh as rpm runs them ($1 = 2: upgrade; $1 = 0: erase),
        // under this booted systemd against the same units.
        var (post, preun) = await RpmScriptletsAsync();
        Assert.Contains("systemctl", post + preun);
        await system.WriteFile("/root/rpm-post.sh", post);
        await system.WriteFile("/root/rpm-preun.sh", preun);

        await using var target = TcpTarget.Echo();
        var (service, socket) = (TcpTarget.UnusedPort(), TcpTarget.UnusedPort());
        await WriteEchoInstanceAsync(service, target);
        await WriteEchoInstanceAsync(socket, target);
        try
        {
            await system.Run(["systemctl", "start", $"websockify@{service}.service"]);
            await system.Run(["systemctl", "enable", "--now", $"websockify@{socket}.socket"]);
            var before = await system.Property($"websockify@{service}.service", "MainPID");

            await system.Run(["sh", "/root/rpm-post.sh", "2"]);
            Assert.Equal("active", await system.Property($"websockify@{service}.service", "ActiveState"));
            Assert.NotEqual(before, await system.Property($"websockify@{service}.service", "MainPID"));

            await system.Run(["sh", "/root/rpm-preun.sh", "0"]);
            foreach (var unit in new[] { $"websockify@{service}.service", $"websockify@{socket}.socket" })
            {
                Assert.Equal("inactive", await system.Property(unit, "ActiveState"));
            }

            Assert.NotEqual("enabled", (await system.Run(["systemctl", "is-enabled", $"websockify@{socket}.socket"], check: false)).StandardOutput.Trim());
            Assert.NotEqual(0, (await system.Run(["test", "-L", $"/etc/systemd/system/sockets.target.wants/websockify@{socket}.socket"], check: false)).ExitCode);
            await Assert.ThrowsAsync<SocketException>(() => RawWebSocketClient.ConnectAsync(socket));
        }
        finally
        {
            await StopAndForgetAsync(service, socket);
        }
    }

    private Task WriteEchoInstanceAsync(int port, TcpTarget target) =>
        system.WriteFile($"/etc/websockify/{port}.conf", $"WEBSOCKIFY_TARGET=127.0.0.1:{target.Port}\n");

    /// <summary>Instance SERVICE stopped, instance SOCKET's socket disabled and stopped, their settings gone.</summary>
    private async Task StopAndForgetAsync(int service, int socket)
    {
        await system.Run(["systemctl", "disable", "--now", $"websockify@{socket}.socket"], check: false);
        await system.Run(["systemctl", "stop", $"websockify@{service}.service", $"websockify@{socket}.service"], check: false);
        File.Delete(Path.Combine(system.Root, $"etc/websockify/{service}.conf"));
        File.Delete(Path.Combine(system.Root, $"etc/websockify/{socket}.conf"));
    }

    /// <summary>The %post and %preun scriptlets of the .rpm that <c>make rpm</c> builds (rpm -qp --qf).</summary>
    private static async Task<(string Post, string Preun)> RpmScriptletsAsync()
    {
        await Cli.Wrap("make").WithArguments(["-C", RepositoryPaths.Root, "rpm"]).ExecuteBufferedAsync();
        var rpm = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "build", "packages"), "websockify-unix-*.x86_64.rpm").Single();
        var post = (await Cli.Wrap("rpm").WithArguments(["-qp", "--qf", "%{POSTIN}", rpm]).ExecuteBufferedAsync()).StandardOutput;
        var preun = (await Cli.Wrap("rpm").WithArguments(["-qp", "--qf", "%{PREUN}", rpm]).ExecuteBufferedAsync()).StandardOutput;
        return (post, preun);
    }
}
