using System.Net;
using Websockify.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Websockify.Tests.Integration;

public static partial class WebTests
{
    /// <summary>Large files in bounded memory; HTTPS and --ssl-only; upgrades beside the web server; socket activation.</summary>
    public sealed class Transport(ITestOutputHelper output) : WebSite
    {
        [Fact]
        public async Task A_200_MiB_file_streams_while_the_daemon_stays_small()
        {
            const long size = 200L * 1024 * 1024;
            using (var big = File.OpenHandle(Path.Combine(Root, "big.bin"), FileMode.CreateNew, FileAccess.Write))
            {
                RandomAccess.SetLength(big, size); // sparse: costs the disk nothing
                RandomAccess.Write(big, "end"u8, size - 3);
            }

            var daemon = await StartAsync();
            Assert.Equal(200, (await GetAsync(daemon, "/vnc.html")).Status);
            var before = daemon.ResidentBytes();
            await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
            await connection.SendAsync(RawHttpConnection.Get("/big.bin"));
            var head = await connection.ReadHeadAsync();
            Assert.Equal(size.ToString(), head["Content-Length"]);
            Assert.Equal("application/octet-stream", head["Content-Type"]);

            long received = 0, nextSample = 0, peak = before;
            var tail = new List<byte>();
            await connection.ReadBodyAsync(size, chunk =>
            {
                received += chunk.Length;
                tail.AddRange(chunk.Span[Math.Max(0, chunk.Length - 3)..].ToArray());
                tail.RemoveRange(0, Math.Max(0, tail.Count - 3));

                if (received >= nextSample)
                {
                    peak = Math.Max(peak, daemon.ResidentBytes()); // sampled mid-transfer: the daemon is still sending
                    nextSample += 8L * 1024 * 1024;
                }
            });

            Assert.Equal("end"u8.ToArray(), tail.ToArray());
            output.WriteLine($"RSS before {before / 1024} KiB, peak during the 200 MiB transfer {peak / 1024} KiB");
            Assert.True(peak - before < 32L * 1024 * 1024, $"RSS grew from {before / 1024} KiB to {peak / 1024} KiB");
            Assert.Equal(200, (await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status); // still kept alive
        }

        [Fact]
        public async Task Https_on_the_same_port_serves_files_and_ssl_only_refuses_plain_http()
        {
            using var certificate = await TestCertificate.CreateAsync();
            var daemon = await StartAsync("--cert", certificate.CertPath, "--key", certificate.KeyPath, "--ssl-only");
            await using (var tls = await RawHttpConnection.OpenAsync(daemon.Port, tls: true))
            {
                var first = await tls.ExchangeAsync(RawHttpConnection.Get("/vnc.html"));
                Assert.Equal(200, first.Status);
                Assert.Equal("<!DOCTYPE html><title>noVNC</title>", first.Text);
                Assert.Equal(304, (await tls.ExchangeAsync(RawHttpConnection.Get("/vnc.html", extra: $"If-None-Match: {first["ETag"]}\r\n"))).Status);
            }

            await using var plain = await RawHttpConnection.OpenAsync(daemon.Port);
            await plain.SendAsync(RawHttpConnection.Get("/vnc.html"));
            Assert.True(await plain.WaitForEndAsync(TimeSpan.FromSeconds(5)), "plain HTTP was answered under --ssl-only");
            await daemon.WaitForLineAsync(l => l.Contains("non-SSL connection received but disallowed", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task A_websocket_upgrade_on_any_path_still_reaches_the_target()
        {
            var daemon = await StartAsync();
            foreach (var path in new[] { "/websockify", "/", "/vnc.html?token=x" })
            {
                await using var client = await RawWebSocketClient.ConnectAsync(
                    new IPEndPoint(IPAddress.Loopback, daemon.Port), RawWebSocketClient.UpgradeRequest(daemon.Port, path: path));
                await client.AssertEchoAsync($"through {path}");
            }

            // A file request first, then an upgrade on the same kept-alive connection.
            await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
            Assert.Equal(200, (await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status);
            await connection.SendAsync(RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/websockify"));
            Assert.Equal(101, (await connection.ReadHeadAsync()).Status);
        }

        [Fact]
        public async Task Files_are_served_on_a_socket_passed_by_systemd()
        {
            var port = TcpTarget.UnusedPort();
            var activator = Own(DaemonProcess.StartCommand(
                "systemd-socket-activate", ["-l", $"127.0.0.1:{port}", RepositoryPaths.Binary, "-v", "--web", Root, Target.Address]));
            await activator.WaitForLineAsync(l => l.StartsWith($"Listening on 127.0.0.1:{port} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            await using var connection = await RawHttpConnection.OpenAsync(port);
            var page = await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html"));
            Assert.Equal(200, page.Status);
            Assert.Equal("<!DOCTYPE html><title>noVNC</title>", page.Text);
            await connection.SendAsync(RawWebSocketClient.UpgradeRequest(port, path: "/websockify"));
            Assert.Equal(101, (await connection.ReadHeadAsync()).Status);
            await activator.WaitForLineAsync(l => l.Contains("  - Web server. Web root: ", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }
    }
}
