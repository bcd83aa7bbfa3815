using Websockify.Tests.Browser.Infrastructure;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Browser;

/// <summary>
/// Debian's noVNC, served by our <c>--web</c>, in Debian's headless Chromium, connected through our
/// daemon to a real Xvnc: the page says "Connected", its canvas shows the colour <c>xsetroot</c>
/// painted and follows a second one. Over ws, over wss (https page, openssl certificate) and through
/// socket activation. Screenshots go to build/test-results/browser-*.png.
/// </summary>
public sealed class NoVncTests
{
    private const string NoVnc = "/usr/share/novnc";
    private const string FirstColour = "#c0392b";
    private const string SecondColour = "#2e86c1";
    private static readonly TimeSpan PaintTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task NoVnc_over_ws_shows_the_desktop_and_follows_its_changes()
    {
        await using var vnc = await XvncServer.StartAsync();
        await vnc.PaintAsync(FirstColour);
        await using var daemon = await DaemonProcess.StartAsync(["--web", NoVnc, "127.0.0.1:0", $"127.0.0.1:{vnc.Port}"]);

        await AssertDesktopFollowsAsync("ws", $"http://127.0.0.1:{daemon.Port}/", [], "unencrypted", vnc, daemon);
    }

    [Fact]
    public async Task NoVnc_over_wss_from_an_https_page_shows_the_desktop_and_follows_its_changes()
    {
        using var certificate = await BrowserCertificate.CreateAsync();
        await using var vnc = await XvncServer.StartAsync();
        await vnc.PaintAsync(FirstColour);
        await using var daemon = await DaemonProcess.StartAsync(
            ["--cert", certificate.CertPath, "--key", certificate.KeyPath, "--web", NoVnc, "127.0.0.1:0", $"127.0.0.1:{vnc.Port}"]);

        // Chromium trusts exactly this certificate's key, nothing else.
        await AssertDesktopFollowsAsync("wss", $"https://127.0.0.1:{daemon.Port}/",
            [$"--ignore-certificate-errors-spki-list={certificate.SpkiHash}"], "encrypted", vnc, daemon);
    }

    [Fact]
    public async Task NoVnc_through_socket_activation_gets_files_and_websocket_on_the_passed_socket()
    {
        await using var vnc = await XvncServer.StartAsync();
        await vnc.PaintAsync(FirstColour);
        var port = TcpTarget.UnusedPort();
        await using var activator = DaemonProcess.StartCommand("systemd-socket-activate",
            ["-l", $"127.0.0.1:{port}", RepositoryPaths.Binary, "--web", NoVnc, $"127.0.0.1:{vnc.Port}"]);
        await activator.WaitForLineAsync(l => l.StartsWith($"Listening on 127.0.0.1:{port} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));

        await AssertDesktopFollowsAsync("socket-activation", $"http://127.0.0.1:{port}/", [], "unencrypted", vnc, activator);

        // The page and the session came through the socket systemd-socket-activate passed: the daemon bound none.
        await activator.WaitForLineAsync(l => l.Contains($"- Listen on 127.0.0.1:{port} (passed by the service manager", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    private static async Task AssertDesktopFollowsAsync(
        string variant, string origin, IReadOnlyList<string> chromiumFlags, string encryption, XvncServer vnc, DaemonProcess daemon)
    {
        var port = new Uri(origin).Port;
        await using var page = await NoVncPage.OpenAsync($"{origin}vnc.html?autoconnect=1&host=127.0.0.1&port={port}", chromiumFlags);
        var context = $"\nbrowser:\n{page.Log}\ndaemon:\n{string.Join("\n", daemon.Lines)}\nXvnc:\n{vnc.Log}";
        Assert.True(page.Status.StartsWith($"Connected ({encryption}) to {XvncServer.DesktopName}", StringComparison.Ordinal), $"status '{page.Status}'{context}");
        Assert.StartsWith(origin, page.Url, StringComparison.Ordinal);

        var first = await page.WaitForSolidAsync(FirstColour, PaintTimeout);
        await page.ScreenshotAsync($"{variant}-1");
        Assert.True(first.IsSolid(FirstColour), $"expected all {FirstColour}, canvas {first}{context}");
        Assert.Equal((800, 600), (first.Width, first.Height));

        await vnc.PaintAsync(SecondColour);
        var second = await page.WaitForSolidAsync(SecondColour, PaintTimeout);
        await page.ScreenshotAsync($"{variant}-2");
        Assert.True(second.IsSolid(SecondColour), $"expected all {SecondColour}, canvas {second}{context}");
    }
}
