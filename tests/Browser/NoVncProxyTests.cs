using System.Net.Http;
using Websockify.Tests.Browser.Infrastructure;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Browser;

/// <summary>
/// noVNC's own launcher, Debian's <c>/usr/share/novnc/utils/novnc_proxy</c>, unchanged: it finds our
/// binary as <c>websockify</c> on PATH, passes its options after the positionals, checks after 1 s
/// that the proxy still runs, and stops it on SIGTERM. The page and the RFB greeting then come through us.
/// </summary>
public sealed class NoVncProxyTests
{
    private const string Launcher = "/usr/share/novnc/utils/novnc_proxy";

    [Fact]
    public async Task Novnc_proxy_runs_our_binary_and_serves_the_page_and_the_vnc_server()
    {
        await using var vnc = await XvncServer.StartAsync();
        var bin = Directory.CreateTempSubdirectory("websockify-novnc-proxy-");
        try
        {
            File.CreateSymbolicLink(Path.Combine(bin.FullName, "websockify"), RepositoryPaths.Binary);
            var port = TcpTarget.UnusedPort();
            int proxyPid;
            await using (var launcher = DaemonProcess.StartCommand(
                Launcher,
                ["--listen", port.ToString(), "--vnc", $"127.0.0.1:{vnc.Port}", "--web", "/usr/share/novnc"],
                new Dictionary<string, string> { ["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}" }))
            {
                await launcher.WaitForLineAsync(l => l == $"Using installed websockify at {bin.FullName}/websockify", TimeSpan.FromSeconds(10));

                // Printed only after the launcher's 1 s check that the proxy is still running.
                await launcher.WaitForLineAsync(l => l.StartsWith("Navigate to this URL", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
                await launcher.WaitForLineAsync(l => l.Contains($"- Listen on ", StringComparison.Ordinal) && l.EndsWith($":{port}", StringComparison.Ordinal), TimeSpan.FromSeconds(5)); // our banner
                proxyPid = ChildPid(launcher.Pid);

                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
                var page = await http.GetAsync($"http://127.0.0.1:{port}/vnc.html");
                Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
                Assert.Contains("noVNC", await page.Content.ReadAsStringAsync());

                await using var client = await RawWebSocketClient.ConnectAsync(port);
                var greeting = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
                Assert.StartsWith("RFB 003.", System.Text.Encoding.ASCII.GetString(greeting!.Payload));
            }

            // The launcher's SIGTERM trap stopped our daemon too: nothing is left running.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (Directory.Exists($"/proc/{proxyPid}") && !IsZombie(proxyPid) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.True(!Directory.Exists($"/proc/{proxyPid}") || IsZombie(proxyPid), $"websockify (pid {proxyPid}) outlived novnc_proxy");
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }

    /// <summary>The launcher's one child that is our binary (it runs the proxy in the background).</summary>
    private static int ChildPid(int parent)
    {
        var children = File.ReadAllText($"/proc/{parent}/task/{parent}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse);
        return Assert.Single(children, pid => File.Exists($"/proc/{pid}/exe") && new FileInfo($"/proc/{pid}/exe").LinkTarget == RepositoryPaths.Binary);
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] == 'Z';
        }
        catch (IOException)
        {
            return true;
        }
    }
}
