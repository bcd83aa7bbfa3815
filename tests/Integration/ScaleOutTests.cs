using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// The deployment of docs/deployment.md, on loopback: a real haproxy (send-proxy-v2, health checks on
/// /healthz) in front of three of our daemons, the tokens in a real redis-server. Clients come from
/// 127.0.0.10-39, haproxy from 127.0.0.1, so the daemons' logs show whose address they believe.
/// </summary>
public sealed partial class ScaleOutTests
{
    private const int Daemons = 3;
    private const int Sessions = 300;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    /// <summary>The configuration docs/deployment.md shows, with this test's ports.</summary>
    internal static string HaproxyConfiguration(int frontendPort, IReadOnlyList<(int Port, int MetricsPort)> daemons) =>
        "global\n" +
        "    maxconn 4096\n" +
        "defaults\n" +
        "    mode tcp\n" +
        "    timeout connect 2s\n" +
        "    timeout client 1h\n" +
        "    timeout server 1h\n" +
        "    timeout check 1s\n" +
        "    retries 3\n" +
        "    option redispatch\n" +
        "frontend websockify\n" +
        $"    bind 127.0.0.1:{frontendPort}\n" +
        "    default_backend websockify\n" +
        "backend websockify\n" +
        "    balance leastconn\n" +
        "    option httpchk GET /healthz\n" +
        "    http-check expect status 200\n" +
        "    default-server send-proxy-v2 check inter 200ms fall 1 rise 2\n" +
        string.Concat(daemons.Select((d, i) => $"    server d{i + 1} 127.0.0.1:{d.Port} port {d.MetricsPort}\n"));

    private static Task<RawWebSocketClient> ThroughBalancerAsync(int port, string token, int client) =>
        RawWebSocketClient.ConnectAsync(
            new IPEndPoint(IPAddress.Loopback, port), RawWebSocketClient.UpgradeRequest(port, path: "/?token=" + token), local: new IPEndPoint(ClientAddress(client), 0));

    private static IPAddress ClientAddress(int client) => IPAddress.Parse($"127.0.0.{10 + (client % 30)}");

    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))[..4]);

    /// <summary>The peers the daemon's session lines name ("PEER #N: connecting to:").</summary>
    private static List<string> SessionPeers(DaemonProcess daemon) =>
        [.. daemon.Lines.Select(l => ConnectingLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [Fact]
    public async Task Three_daemons_behind_haproxy_share_redis_tokens_show_real_clients_and_one_drains_without_loss()
    {
        await using var target = TcpTarget.Echo();
        await using var redis = await RedisServer.StartAsync();
        await redis.SetAsync("desk", target.Address);
        var daemons = new List<DaemonProcess>();
        var clients = new List<RawWebSocketClient>();
        HaproxyProcess? haproxy = null;
        try
        {
            var ports = new List<(int, int)>();
            for (var i = 0; i < Daemons; i++)
            {
                var daemon = await DaemonProcess.StartAsync(
                [
                    "--proxy-protocol", "--trusted-proxy", "127.0.0.1", "--metrics", "127.0.0.1:0", "--drain-timeout", "3",
                    "--token-plugin", "TokenRedis", "--token-source", $"127.0.0.1:{redis.Port}", "127.0.0.1:0",
                ]);
                daemons.Add(daemon);
                ports.Add((daemon.Port, await MetricsTests.MetricsPortAsync(daemon)));
            }

            var frontend = TcpTarget.UnusedPort();
            haproxy = HaproxyProcess.Start(HaproxyConfiguration(frontend, ports));
            await haproxy.WaitForStatesAsync("websockify", new Dictionary<string, string> { ["d1"] = "UP", ["d2"] = "UP", ["d3"] = "UP" }, Bound);

            // 300 sessions, spread over all three, each echoing.
            for (var i = 0; i < Sessions; i++)
            {
                var client = await ThroughBalancerAsync(frontend, "desk", i);
                Assert.Equal(101, client.StatusCode);
                clients.Add(client);
            }

            await Task.WhenAll(clients.Select((c, i) => c.AssertEchoAsync($"session {i}")));
            await WaitForSessionLinesAsync(daemons, Sessions);
            var perDaemon = daemons.Select(d => SessionPeers(d).Count).ToArray();
            Assert.Equal(Sessions, perDaemon.Sum());
            Assert.All(perDaemon, count => Assert.InRange(count, Sessions / Daemons / 2, Sessions));

            // The daemons name the clients, never haproxy's 127.0.0.1.
            foreach (var daemon in daemons)
            {
                Assert.All(SessionPeers(daemon), peer => Assert.Matches(@"^127\.0\.0\.(1\d|2\d|3\d):\d+$", peer));
                Assert.Contains(daemon.Lines, l => l.Contains(": via balancer 127.0.0.1:", StringComparison.Ordinal));
            }

            // A token added to Redis now works through every instance at once.
            await redis.SetAsync("new-desk", target.Address);
            var direct = await Task.WhenAll(daemons.Select(d => RawWebSocketClient.ConnectAsync(
                new IPEndPoint(IPAddress.Loopback, d.Port), RawWebSocketClient.UpgradeRequest(d.Port, path: "/?token=new-desk"), local: new IPEndPoint(IPAddress.Parse("127.0.0.200"), 0))));
            clients.AddRange(direct);
            foreach (var (client, daemon) in direct.Zip(daemons))
            {
                Assert.Equal(101, client.StatusCode);
                await client.AssertEchoAsync("new token");
                await daemon.WaitForLineAsync(l => l.Contains($"127.0.0.200:", StringComparison.Ordinal) && l.Contains($"token {Hash("new-desk")}: connecting via TokenRedis", StringComparison.Ordinal), Bound);
            }

            // d1 drains: half its sessions finish on their own, the rest get 1001 after 3 s.
            var drained = daemons[0];
            var onDrained = clients.Where(c => SessionPeers(drained).Contains(EndpointOf(c))).ToList();
            Assert.NotEmpty(onDrained);
            drained.Signal(Signals.SIGTERM);
            await drained.WaitForLineAsync(l => l.Contains("Draining (SIGTERM)", StringComparison.Ordinal), Bound);
            await haproxy.WaitForStatesAsync("websockify", new Dictionary<string, string> { ["d1"] = "DOWN", ["d2"] = "UP", ["d3"] = "UP" }, Bound);

            var finishing = onDrained.Take(onDrained.Count / 2).ToList();
            foreach (var client in finishing)
            {
                await client.AssertEchoAsync("finishing during the drain");
                await client.SendAsync(RawFrame.CloseFrame(1000));
                Assert.Equal(1000, (await client.ReadUntilCloseAsync(Bound)).Close?.CloseCode);
            }

            // New sessions keep succeeding, through the other two only.
            var before = daemons.Skip(1).Sum(d => SessionPeers(d).Count);
            for (var i = 0; i < 30; i++)
            {
                var client = await ThroughBalancerAsync(frontend, "new-desk", i);
                Assert.Equal(101, client.StatusCode);
                await client.AssertEchoAsync("after the drain began");
                clients.Add(client);
            }

            foreach (var client in onDrained.Skip(finishing.Count))
            {
                Assert.Equal(1001, (await client.ReadUntilCloseAsync(Bound)).Close?.CloseCode);
            }

            Assert.Equal(0, await drained.WaitForExitAsync(Bound));
            await WaitForSessionLinesAsync(daemons.Skip(1).ToList(), before + 30);
            Assert.Equal(before + 30, daemons.Skip(1).Sum(d => SessionPeers(d).Count));
            Assert.Contains(drained.Lines, l => l.Contains($"Drain over: the drain timeout passed; {onDrained.Count - finishing.Count} connection(s) left", StringComparison.Ordinal));

            // The sessions on the other two never noticed.
            await Task.WhenAll(clients.Except(onDrained).Select(c => c.AssertEchoAsync("still here")));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }

            if (haproxy is not null)
            {
                await haproxy.DisposeAsync();
            }

            foreach (var daemon in daemons)
            {
                await daemon.DisposeAsync();
            }
        }
    }

    /// <summary>Log lines come through a pipe: waits (bounded) until the daemons have logged <paramref name="count"/> sessions in all.</summary>
    private static async Task WaitForSessionLinesAsync(IReadOnlyList<DaemonProcess> daemons, int count)
    {
        for (var attempt = 0; attempt < 200 && daemons.Sum(d => SessionPeers(d).Count) < count; attempt++)
        {
            await Task.Delay(50);
        }
    }

    private static string EndpointOf(RawWebSocketClient client) => ((IPEndPoint)client.LocalEndPoint!).ToString();

    [GeneratedRegex(@"(\S+) #\d+: connecting to: ")]
    private static partial Regex ConnectingLine();
}
