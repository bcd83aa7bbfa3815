using System.Diagnostics;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

public static partial class WebTests
{
    /// <summary>No request reaches a file outside the root; no redirect leaves the host; odd files never hang the server.</summary>
    public sealed class Safety : WebSite
    {
        [Theory]
        [InlineData("/../outside/secret.txt", 400)]
        [InlineData("/../../../../etc/passwd", 400)]
        [InlineData("/app/../../outside/secret.txt", 400)]
        [InlineData("/%2e%2e/outside/secret.txt", 400)]
        [InlineData("/%2E%2E%2Foutside%2Fsecret.txt", 400)]
        [InlineData("/..%2foutside%2fsecret.txt", 400)]
        [InlineData("/..\\outside\\secret.txt", 400)]
        [InlineData("/..%5coutside%5csecret.txt", 400)]
        [InlineData("/%252e%252e/outside/secret.txt", 404)] // decoded once: a directory literally named %2e%2e
        [InlineData("/%c0%ae%c0%ae/outside/secret.txt", 400)]
        [InlineData("/%e0%80%ae%e0%80%ae/outside/secret.txt", 400)]
        [InlineData("/vnc.html%00.png", 400)]
        [InlineData("/%ff%fe", 400)]
        [InlineData("http://localhost/../outside/secret.txt", 400)]
        [InlineData("http://localhost/vnc.html", 400)]
        [InlineData("/leak.txt", 404)]
        [InlineData("/out/secret.txt", 404)]
        [InlineData("/passwd", 404)]
        public async Task Traversal_attempts_end_in_4xx_and_never_show_the_file(string target, int status)
        {
            File.CreateSymbolicLink(Path.Combine(Root, "leak.txt"), Path.Combine(Outside, "secret.txt"));
            Directory.CreateSymbolicLink(Path.Combine(Root, "out"), Outside);
            File.CreateSymbolicLink(Path.Combine(Root, "passwd"), "/etc/passwd");
            var daemon = await StartAsync();
            var answer = await GetAsync(daemon, target);
            Assert.Equal(status, answer.Status);
            Assert.DoesNotContain(WebSite.Secret, answer.Text);
            Assert.DoesNotContain("root:", answer.Text);
            Assert.DoesNotContain(target, answer.Text); // error pages are fixed texts
            if (target == "/leak.txt")
            {
                await daemon.WaitForLineAsync(l => l.Contains("/leak.txt refused (404): a symbolic link leads outside the web root", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            }
        }

        [Theory]
        [InlineData("//evil.example/%2f..")]
        [InlineData("//evil.example/%2F..")]
        [InlineData("//evil.example")]
        [InlineData("///evil.example/")]
        [InlineData("/%2F%2Fevil.example")]
        [InlineData("/\\evil.example")]
        public async Task No_redirect_points_to_another_host(string target)
        {
            Directory.CreateDirectory(Path.Combine(Root, "evil.example"));
            var daemon = await StartAsync();
            var answer = await GetAsync(daemon, target);
            if (answer["Location"] is { } location)
            {
                Assert.Equal(301, answer.Status);
                Assert.Matches("^/[^/\\\\]", location);
                Assert.Equal("/evil.example/", location);
            }
            else
            {
                Assert.True(answer.Status is 400 or 404 or 200, $"{answer.Status}");
            }

            Assert.Equal(400, (await GetAsync(daemon, "//evil.example/%2f..")).Status); // the CVE-2021-3654 request itself
        }

        [Fact]
        public async Task A_fifo_is_refused_without_blocking_the_server()
        {
            var fifo = Path.Combine(Root, "pipe.js");
            using (var mkfifo = Process.Start("mkfifo", [fifo]))
            {
                await mkfifo.WaitForExitAsync();
                Assert.Equal(0, mkfifo.ExitCode);
            }

            var daemon = await StartAsync();
            await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
            Assert.Equal(403, (await connection.ExchangeAsync(RawHttpConnection.Get("/pipe.js"))).Status);
            Assert.Equal(200, (await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status);
        }

        [Fact]
        public async Task Http11_without_exactly_one_host_is_400_and_head_of_a_missing_file_has_no_body()
        {
            var daemon = await StartAsync();
            await using (var connection = await RawHttpConnection.OpenAsync(daemon.Port))
            {
                // HEAD of a missing file, then a GET on the same connection: a body after the 404 would be read as the next head.
                Assert.Equal(404, (await connection.ExchangeAsync(RawHttpConnection.Get("/missing", "HEAD"))).Status);
                Assert.Equal(200, (await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status);
            }

            await using var noHost = await RawHttpConnection.OpenAsync(daemon.Port);
            Assert.Equal(400, (await noHost.ExchangeAsync("GET /vnc.html HTTP/1.1\r\n\r\n")).Status);
            await using var twoHosts = await RawHttpConnection.OpenAsync(daemon.Port);
            Assert.Equal(400, (await twoHosts.ExchangeAsync(RawHttpConnection.Get("/vnc.html", extra: "Host: other\r\n"))).Status);
        }

        [Fact]
        public async Task A_missing_web_root_is_a_start_up_error_naming_it()
        {
            var missing = Path.Combine(Root, "no-such-dir");
            var (exit, _, stderr) = await DaemonProcess.RunAsync("--web", missing, "127.0.0.1:0", Target.Address);
            Assert.Equal(1, exit);
            Assert.Contains($"--web {missing}: no such file or directory", stderr);
        }

        [Fact]
        public async Task Without_web_plain_requests_still_get_405()
        {
            await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", Target.Address]);
            var answer = await GetAsync(daemon, "/vnc.html");
            Assert.Equal(405, answer.Status);
            Assert.Equal("GET", answer["Allow"]);
        }
    }
}
