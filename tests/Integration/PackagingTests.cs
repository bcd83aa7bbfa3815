using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>Builds the packages once for the whole class (make deb, make rpm).</summary>
public sealed class PackagesFixture : IAsyncLifetime
{
    public string Deb { get; private set; } = "";

    public string Rpm { get; private set; } = "";

    public async Task InitializeAsync()
    {
        foreach (var target in new[] { "deb", "rpm" })
        {
            await Cli.Wrap("make").WithArguments([target]).WithWorkingDirectory(RepositoryPaths.Root).ExecuteBufferedAsync();
        }

        var packages = Path.Combine(RepositoryPaths.Root, "build", "packages");
        Deb = Directory.GetFiles(packages, "websockify-unix_*_amd64.deb").Single();
        Rpm = Directory.GetFiles(packages, "websockify-unix-*.x86_64.rpm").Single();
    }

    public Task DisposeAsync() => Task.CompletedTask;
}

/// <summary>
/// The .deb and the .rpm: contents against the install layout, lintian and rpmlint, then the .deb
/// installed on this machine, used for real, and purged again, leaving the machine as it was.
/// </summary>
[Collection("system-wide packages")]
public sealed class PackagingTests(PackagesFixture packages) : IClassFixture<PackagesFixture>
{
    private static readonly string[] Layout =
    [
        "/usr/bin/websockify",
        "/usr/lib/websockify/rebind.so",
        "/lib/systemd/system/websockify.service",
        "/lib/systemd/system/websockify@.service",
        "/lib/systemd/system/websockify@.socket",
        "/etc/websockify/example.conf",
        "/usr/share/man/man1/websockify.1.gz",
        "/usr/share/websockify/www/wstelnet.html",
        "/usr/share/websockify/www/wstelnet.js",
        "/usr/share/websockify/www/telnet.js",
        "/usr/share/websockify/www/websock.js",
        "/usr/share/websockify/www/websock.classic.js",
        "/usr/share/websockify/www/websock-compat.js",
        "/usr/share/websockify/www/vendor/xterm/xterm.mjs",
        "/usr/share/websockify/www/vendor/xterm/LICENSE",
        "/usr/lib/sysusers.d/websockify.conf",
        "/usr/share/websockify/drop-ins/run-as-root.conf",
    ];

    private static async Task<BufferedCommandResult> RunAsync(string program, params string[] args) =>
        await Cli.Wrap(program).WithArguments(args).WithValidation(CommandResultValidation.None)
            .WithEnvironmentVariables(e => e.Set("DEBIAN_FRONTEND", "noninteractive")).ExecuteBufferedAsync();

    [Fact]
    public async Task Deb_contains_the_install_layout_and_its_dependencies_come_from_shlibdeps()
    {
        var files = (await RunAsync("dpkg-deb", "-c", packages.Deb)).StandardOutput.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "").Select(p => p.TrimStart('.')).ToHashSet();
        Assert.All(Layout, path => Assert.Contains(path, files));

        var depends = (await RunAsync("dpkg-deb", "-f", packages.Deb, "Depends")).StandardOutput;
        Assert.Contains("libc6 (>= ", depends);
        Assert.Contains("libssl3", depends);
        var conffiles = (await Cli.Wrap("sh").WithArguments(["-c", $"dpkg-deb --ctrl-tarfile '{packages.Deb}' | tar -xO ./conffiles"]).ExecuteBufferedAsync()).StandardOutput;
        Assert.Contains("/etc/websockify/example.conf", conffiles);
    }

    [Fact]
    public async Task Rpm_contains_the_install_layout_with_config_noreplace()
    {
        var files = (await RunAsync("rpm", "-qlp", packages.Rpm)).StandardOutput.Split('\n').ToHashSet();
        foreach (var path in Layout)
        {
            Assert.Contains(path.StartsWith("/lib/systemd", StringComparison.Ordinal) ? "/usr" + path : path, files);
        }

        var configs = (await RunAsync("rpm", "-qcp", packages.Rpm)).StandardOutput;
        Assert.Contains("/etc/websockify/example.conf", configs);
        Assert.Contains("openssl-libs", (await RunAsync("rpm", "-qp", "--requires", packages.Rpm)).StandardOutput);
    }

    [Fact]
    public async Task Configuration_directory_and_example_are_not_world_readable_in_either_package()
    {
        // Instance settings may hold secrets; a copy of example.conf keeps its mode.
        var deb = (await RunAsync("dpkg-deb", "-c", packages.Deb)).StandardOutput.Split('\n');
        Assert.StartsWith("drwxr-x--- root/root ", deb.Single(l => l.EndsWith(" ./etc/websockify/", StringComparison.Ordinal)));
        Assert.StartsWith("-rw-r----- root/root ", deb.Single(l => l.EndsWith(" ./etc/websockify/example.conf", StringComparison.Ordinal)));

        // The rpm names the daemon's group (its %pre creates it); the .deb's postinst sets it (container tests).
        var rpm = (await RunAsync("rpm", "-qp", "--qf", "[%{FILEMODES:perms} %{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]", packages.Rpm)).StandardOutput.Split('\n');
        Assert.Contains("drwxr-x--- root:websockify /etc/websockify", rpm);
        Assert.Contains("-rw-r----- root:root /etc/websockify/example.conf", rpm);
        Assert.Contains("useradd -r -g websockify", (await RunAsync("rpm", "-qp", "--qf", "%{PREIN}", packages.Rpm)).StandardOutput);
    }

    [Fact]
    public async Task Make_install_keeps_the_configuration_directory_private()
    {
        var stage = Directory.CreateTempSubdirectory("websockify-stage-");
        try
        {
            var install = await RunAsync("make", "-C", RepositoryPaths.Root, "install", "PREFIX=/usr", "DESTDIR=" + stage.FullName);
            Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);
            var etc = Path.Combine(stage.FullName, "etc", "websockify");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute, File.GetUnixFileMode(etc));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(Path.Combine(etc, "example.conf")));
        }
        finally
        {
            stage.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Lintian_reports_no_errors_or_warnings()
    {
        var result = await RunAsync("lintian", "--pedantic", packages.Deb);
        var complaints = result.StandardOutput.Split('\n').Where(l => l.StartsWith("E: ", StringComparison.Ordinal) || l.StartsWith("W: ", StringComparison.Ordinal)).ToList();
        Assert.True(complaints.Count == 0, string.Join('\n', complaints));
    }

    [Fact]
    public async Task Rpmlint_reports_no_errors()
    {
        var result = await RunAsync("rpmlint", "-c", Path.Combine(RepositoryPaths.Root, "packaging", "rpm", "rpmlint.toml"), packages.Rpm);
        Assert.Contains(" 0 errors,", result.StandardOutput);
    }

    [Fact]
    public async Task Installed_package_serves_wraps_and_verifies_then_purges_cleanly()
    {
        // Everything installed now is installed again afterwards: ours replaces Debian's websockify, and
        // purging ours takes what depends on "websockify" (novnc) with it.
        var before = await InstalledPackagesAsync();
        var replaced = new[] { "python3-websockify", "websockify" }.Where(before.Contains).ToList();

        var install = await RunAsync("apt-get", "install", "-y", "-q", packages.Deb);
        try
        {
            Assert.True(install.ExitCode == 0, install.StandardOutput + install.StandardError);

            // One WebSocket session through the installed binary.
            await using (var target = TcpTarget.Echo())
            await using (var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], binary: "/usr/bin/websockify"))
            await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
            {
                await client.SendAsync(RawFrame.Build(RawFrame.Binary, "installed"u8));
                Assert.Equal("installed", Encoding.ASCII.GetString((await client.ReadFrameAsync())!.Payload));
            }

            // The installed browser files, served by --web as the README shows.
            await using (var target = TcpTarget.Echo())
            await using (var daemon = await DaemonProcess.StartAsync(["--web", "/usr/share/websockify/www", "127.0.0.1:0", target.Address], binary: "/usr/bin/websockify"))
            using (var http = new HttpClient())
            {
                var page = await http.GetAsync($"http://127.0.0.1:{daemon.Port}/wstelnet.html");
                Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
                Assert.Contains("wstelnet.js", await page.Content.ReadAsStringAsync());
                var module = await http.GetAsync($"http://127.0.0.1:{daemon.Port}/vendor/xterm/xterm.mjs");
                Assert.Equal("text/javascript", module.Content.Headers.ContentType?.MediaType);
            }

            // One wrapped program, with the installed rebind.so found without flags.
            var server = await TestPrograms.BindServerAsync();
            var port = TcpTarget.UnusedPort();
            await using (var wrapped = await DaemonProcess.StartAsync([$"127.0.0.1:{port}", "--", server, port.ToString(), "4"], binary: "/usr/bin/websockify"))
            await using (var client = await RawWebSocketClient.ConnectAsync(port))
            {
                Assert.StartsWith("hello", Encoding.ASCII.GetString((await client.ReadFrameAsync(TimeSpan.FromSeconds(15)))!.Payload));
            }

            var verify = await Cli.Wrap("systemd-analyze").WithArguments(["verify", "websockify@5901.service", "websockify@5901.socket", "websockify.service"])
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
            Assert.Equal("", verify.StandardOutput + verify.StandardError);
            Assert.Equal("", (await RunAsync("man", "--warnings", "-l", "/usr/share/man/man1/websockify.1.gz")).StandardError);

            // noVNC depends on "websockify", which ours provides: installing it keeps ours (no Python websockify back).
            var novnc = await RunAsync("apt-get", "install", "-y", "-q", "--no-install-recommends", "novnc");
            Assert.True(novnc.ExitCode == 0, novnc.StandardOutput + novnc.StandardError);
            var after = await InstalledPackagesAsync();
            Assert.Contains("novnc", after);
            Assert.Contains("websockify-unix", after);
            Assert.DoesNotContain("websockify", after);
            Assert.Contains("(websockify-unix)", (await RunAsync("/usr/bin/websockify", "--version")).StandardOutput);
        }
        finally
        {
            await RunAsync("apt-get", "purge", "-y", "-q", "websockify-unix");
            var missing = before.Except(await InstalledPackagesAsync()).ToList();
            if (missing.Count > 0)
            {
                await RunAsync("apt-get", ["install", "-y", "-q", "--no-install-recommends", .. missing]);
            }
        }

        Assert.Empty(before.Except(await InstalledPackagesAsync())); // nothing this test removed stays removed

        Assert.False(File.Exists("/usr/lib/websockify/rebind.so") && replaced.Count == 0, "rebind.so left behind");
        Assert.False(Directory.Exists("/etc/websockify"), "/etc/websockify left behind by purge");
        foreach (var package in replaced)
        {
            Assert.Contains("install ok installed", (await RunAsync("dpkg-query", "-W", "-f=${Status}", package)).StandardOutput);
        }
    }

    /// <summary>The packages dpkg has fully installed ("ii ").</summary>
    private static async Task<HashSet<string>> InstalledPackagesAsync()
    {
        var listing = (await RunAsync("dpkg-query", "-W", "-f=${db:Status-Abbrev}\t${Package}\n")).StandardOutput;
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(fields => fields.Length == 2 && fields[0] == "ii ")
            .Select(fields => fields[1])
            .ToHashSet(StringComparer.Ordinal);
    }
}

/// <summary>Tests that install packages system-wide run one at a time.</summary>
[CollectionDefinition("system-wide packages", DisableParallelization = true)]
public sealed class SystemWidePackagesCollection;
