using System.Net;
using System.Text.RegularExpressions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--metrics</c> through the real binary: the Prometheus text after real sessions, refusals and TLS
/// failures; <c>/healthz</c> 200, then 503 while a drain runs; nothing of it on the WebSocket port.
/// </summary>
public sealed partial class MetricsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    internal static async Task<int> MetricsPortAsync(DaemonProcess daemon)
    {
        var line = await daemon.WaitForLineAsync(l => MetricsLine().IsMatch(l), Bound);
        return int.Parse(MetricsLine().Match(line).Groups[1].Value);
    }

    internal static async Task<(HttpStatusCode Status, string Body)> GetAsync(int port, string path)
    {
        using var http = new HttpClient { Timeout = Bound };
        using var response = await http.GetAsync($"http://127.0.0.1:{port}{path}");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<string> ScrapeAsync(int port)
    {
        var (status, body) = await GetAsync(port, "/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    /// <summary>Scrapes until <paramref name="line"/> is there (the session's end is counted just after the client sees it).</summary>
    private static async Task<string> ScrapeUntilAsync(int port, string line)
    {
        var body = "";
        for (var attempt = 0; attempt < 100; attempt++)
        {
            body = await ScrapeAsync(port);
            if (body.Split('\n').Contains(line))
            {
                return body;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"no '{line}' in:\n{body}");
        return body;
    }

    [Fact]
    public async Task Sessions_bytes_refusals_and_tls_failures_are_counted()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--metrics", "127.0.0.1:0", "--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);
        var port = await MetricsPortAsync(daemon);
        var start = await ScrapeAsync(port);
        Assert.Contains("websockify_sessions_total 0\n", start, StringComparison.Ordinal);
        Assert.Contains("# TYPE websockify_session_duration_seconds histogram\n", start, StringComparison.Ordinal);

        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await client.AssertEchoAsync("12345");
            Assert.Contains("websockify_sessions_open 1\n", await ScrapeAsync(port), StringComparison.Ordinal);
            await client.SendAsync(RawFrame.CloseFrame(1000));
            await client.ReadUntilCloseAsync();
        }

        var body = await ScrapeUntilAsync(port, "websockify_session_duration_seconds_count 1");
        Assert.Contains("websockify_sessions_total 1\n", body, StringComparison.Ordinal);
        Assert.Contains("websockify_sessions_open 0\n", body, StringComparison.Ordinal);
        Assert.Contains("websockify_bytes_total{direction=\"to_target\"} 5\n", body, StringComparison.Ordinal);
        Assert.Contains("websockify_bytes_total{direction=\"to_client\"} 5\n", body, StringComparison.Ordinal);

        // An upgrade of a version we do not speak (426), and a TLS hello that fails.
        var oldVersion = RawWebSocketClient.UpgradeRequest(daemon.Port).Replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 12", StringComparison.Ordinal);
        await using (var refused = await RawWebSocketClient.ConnectAsync(daemon.Port, oldVersion))
        {
            Assert.Equal(426, refused.StatusCode);
        }

        using (var garbage = new System.Net.Sockets.TcpClient())
        {
            await garbage.ConnectAsync(IPAddress.Loopback, daemon.Port);
            await garbage.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5 });
            var buffer = new byte[64];
            using var limit = new CancellationTokenSource(Bound);
            try
            {
                while (await garbage.GetStream().ReadAsync(buffer, limit.Token) > 0)
                {
                }
            }
            catch (IOException)
            {
            }
        }

        body = await ScrapeUntilAsync(port, "websockify_tls_handshakes_failed_total 1");
        Assert.Contains("websockify_handshakes_refused_total{reason=\"http\",status=\"426\"} 1\n", body, StringComparison.Ordinal);
        Assert.Contains("websockify_target_connect_failures_total 0\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_target_and_an_unknown_token_are_counted()
    {
        var tokens = Path.Combine(Path.GetTempPath(), $"websockify-test-{Guid.NewGuid():N}.tokens");
        await File.WriteAllTextAsync(tokens, "dead: 127.0.0.1:1\n");
        try
        {
            await using var daemon = await DaemonProcess.StartAsync(["--metrics", ":0", "--token-plugin", "TokenFile", "--token-source", tokens, "127.0.0.1:0"]);
            var port = await MetricsPortAsync(daemon);
            var endpoint = new IPEndPoint(IPAddress.Loopback, daemon.Port);
            await using (var dead = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/?token=dead")))
            {
                Assert.Equal(1011, (await dead.ReadFrameAsync(Bound))?.CloseCode);
            }

            await using (var unknown = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/?token=nobody")))
            {
                Assert.Equal(403, unknown.StatusCode);
            }

            var body = await ScrapeUntilAsync(port, "websockify_target_connect_failures_total 1");
            Assert.Contains("websockify_handshakes_refused_total{reason=\"token\",status=\"403\"} 1\n", body, StringComparison.Ordinal);
            Assert.Contains("websockify_sessions_total 0\n", body, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(tokens);
        }
    }

    [Fact]
    public async Task Health_is_200_until_a_drain_starts_then_503_and_other_paths_are_404()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--metrics", "127.0.0.1:0", "--drain-timeout", "30", "127.0.0.1:0", target.Address]);
        var port = await MetricsPortAsync(daemon);
        Assert.Equal((HttpStatusCode.OK, "ok\n"), await GetAsync(port, "/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(port, "/")).Status);
        Assert.Equal(405, (await RawWebSocketClient.ConnectAsync(daemon.Port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")).StatusCode); // not on the WebSocket port

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("held");
        daemon.Signal(Signals.SIGTERM);
        await daemon.WaitForLineAsync(l => l.Contains("Draining (SIGTERM)", StringComparison.Ordinal), Bound);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "draining\n"), await GetAsync(port, "/healthz"));
        Assert.Contains("websockify_draining 1\n", await ScrapeAsync(port), StringComparison.Ordinal);
        await client.AssertEchoAsync("the session goes on");
        await client.SendAsync(RawFrame.CloseFrame(1000));
        await client.ReadUntilCloseAsync();
        Assert.Equal(0, await daemon.WaitForExitAsync(Bound));
    }

    [Fact]
    public async Task The_websocket_port_is_refused_for_metrics()
    {
        var result = await DaemonProcess.RunAsync(Bound, "--metrics", "127.0.0.1:6080", "6080", "127.0.0.1:1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("metrics need a listener of their own", result.Stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Metrics on http://127\.0\.0\.1:(\d+)/metrics")]
    private static partial Regex MetricsLine();
}
