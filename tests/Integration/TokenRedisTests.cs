using System.Diagnostics;
using System.Security.Cryptography;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary><c>--token-plugin TokenRedis</c> against a real redis-server that each test starts on loopback.</summary>
public sealed class TokenRedisTests
{
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(20);

    private static Task<DaemonProcess> StartDaemonAsync(string source) =>
        DaemonProcess.StartAsync(["--token-plugin", "TokenRedis", "--token-source", source, "127.0.0.1:0"]);

    private static Task<RawWebSocketClient> UpgradeAsync(DaemonProcess daemon, string token) =>
        RawWebSocketClient.ConnectAsync(daemon.Port, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/?token=" + token));

    /// <summary>Random bytes through the bridge to an echo target and back, compared byte for byte.</summary>
    private static async Task AssertBytesEchoedAsync(RawWebSocketClient client)
    {
        Assert.Equal(101, client.StatusCode);
        var sent = RandomNumberGenerator.GetBytes(50_000);
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, sent));
        var received = new MemoryStream();
        while (received.Length < sent.Length)
        {
            var frame = await client.ReadFrameAsync();
            Assert.NotNull(frame);
            received.Write(frame.Payload);
        }

        Assert.Equal(sent, received.ToArray());
    }

    /// <summary>Retries the upgrade until it is 101 (Redis came back and the client reconnected), bounded.</summary>
    private static async Task<RawWebSocketClient> UpgradeOnceRedisIsBackAsync(DaemonProcess daemon, string token)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var client = await UpgradeAsync(daemon, token);
            if (client.StatusCode == 101 || deadline.Elapsed > Reconnect)
            {
                return client;
            }

            Assert.Equal(503, client.StatusCode); // never 403 in between: the key is there
            await client.DisposeAsync();
            await Task.Delay(200);
        }
    }

    [Theory]
    [InlineData("127.0.0.1:notaport", "TokenRedis port must be a number from 1 to 65535")]
    [InlineData("127.0.0.1:6379:x", "TokenRedis db must be a number")]
    [InlineData("127.0.0.1:6379:0:pw:ns:extra", "at most 5 fields")]
    public async Task A_bad_source_is_a_usage_error(string source, string message)
    {
        var (code, _, stderr) = await DaemonProcess.RunAsync("--token-plugin", "TokenRedis", "--token-source", source, "127.0.0.1:0");
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_and_plain_values_reach_their_target_byte_exact()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        await redis.SetAsync("json-token", $"{{\"host\": \"{target.Address}\"}}");
        await redis.SetAsync("plain-token", $"  {target.Address} \n");
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");

        await using (var json = await UpgradeAsync(daemon, "json-token"))
        {
            await AssertBytesEchoedAsync(json);
        }

        await using (var plain = await UpgradeAsync(daemon, "plain-token"))
        {
            await AssertBytesEchoedAsync(plain);
        }

        Assert.Equal(2, target.Accepted);
        Assert.DoesNotContain(daemon.Lines, line => line.Contains("json-token", StringComparison.Ordinal) || line.Contains("plain-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Concurrent_lookups_share_one_redis_connection()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        const int Sessions = 40;
        for (var i = 0; i < Sessions; i++)
        {
            await redis.SetAsync($"desk{i}", target.Address);
        }

        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");
        var clients = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(i => UpgradeAsync(daemon, $"desk{i}")));
        try
        {
            await Task.WhenAll(clients.Select(AssertBytesEchoedAsync));
            Assert.Equal(Sessions, target.Accepted);
            Assert.Equal(2, await redis.ConnectedClientsAsync()); // the daemon's one, and this query's
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Database_namespace_and_password_are_used()
    {
        const string Password = "pa:ss word";
        await using var redis = await RedisServer.StartAsync(password: Password);
        await using var right = TcpTarget.Echo();
        await using var wrong = TcpTarget.Echo();
        await redis.SetAsync("app:ns:tok", right.Address, database: 3);
        await redis.SetAsync("tok", wrong.Address, database: 3); // without the namespace
        await redis.SetAsync("app:ns:tok", wrong.Address, database: 0); // in the default database
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}:3:\"{Password}\":\"app:ns\"");

        await using (var client = await UpgradeAsync(daemon, "tok"))
        {
            await AssertBytesEchoedAsync(client);
        }

        Assert.Equal(1, right.Accepted);
        Assert.Equal(0, wrong.Accepted);
        Assert.Contains(daemon.Lines, line => line.Contains($"TokenRedis backend: 127.0.0.1:{redis.Port} db 3 with a password namespace 'app:ns:'", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Lines, line => line.Contains("pa:ss", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_password_answers_503_and_is_not_logged()
    {
        await using var redis = await RedisServer.StartAsync(password: "right-one");
        await using var target = TcpTarget.Echo();
        await redis.SetAsync("tok", target.Address);
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}:0:wrong-one");

        await using var client = await UpgradeAsync(daemon, "tok");
        Assert.Equal(503, client.StatusCode);
        Assert.Equal(0, target.Accepted);
        await daemon.WaitForLineAsync(line => line.Contains("cannot reach Redis", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(daemon.Lines, line => line.Contains("wrong-one", StringComparison.Ordinal) || line.Contains("right-one", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null)] // no such key
    [InlineData("not a target")]
    [InlineData("{\"host\": \"127.0.0.1\"}")]
    [InlineData("")]
    public async Task Unknown_or_invalid_tokens_are_refused_with_403_and_no_target_is_contacted(string? value)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        await redis.SetAsync("other", target.Address);
        if (value is not null)
        {
            await redis.SetAsync("tok", value);
        }

        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");
        await using var client = await UpgradeAsync(daemon, "tok");
        Assert.Equal(403, client.StatusCode);
        Assert.True(await client.WaitForEndAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, target.Accepted);
    }

    [Fact]
    public async Task A_key_that_is_not_a_string_is_refused_with_403()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        await redis.PushAsync("tok", target.Address);
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");
        await using var client = await UpgradeAsync(daemon, "tok");
        Assert.Equal(403, client.StatusCode);
        Assert.Equal(0, target.Accepted);
        await daemon.WaitForLineAsync(line => line.Contains("the key does not hold a string", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_value_over_4_KiB_is_refused_with_403()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        await redis.SetAsync("tok", target.Address + new string(' ', 5000));
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");
        await using var client = await UpgradeAsync(daemon, "tok");
        Assert.Equal(403, client.StatusCode);
        Assert.Equal(0, target.Accepted);
    }

    [Fact]
    public async Task The_daemon_starts_without_redis_answers_503_and_works_once_redis_is_up()
    {
        var port = TcpTarget.UnusedPort();
        await using var target = TcpTarget.Echo();
        var started = Stopwatch.StartNew();
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{port}");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"start-up took {started.Elapsed}");

        await using (var early = await UpgradeAsync(daemon, "tok"))
        {
            Assert.Equal(503, early.StatusCode);
        }

        await daemon.WaitForLineAsync(line => line.Contains("WARN", StringComparison.Ordinal) && line.Contains("cannot reach Redis", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var redis = await RedisServer.StartAsync(port: port);
        await redis.SetAsync("tok", target.Address);
        await using (var client = await UpgradeOnceRedisIsBackAsync(daemon, "tok"))
        {
            await AssertBytesEchoedAsync(client);
        }

        Assert.Equal(1, target.Accepted);
    }

    [Fact]
    public async Task When_redis_stops_lookups_answer_503_the_daemon_keeps_serving_and_recovers_when_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var target = TcpTarget.Echo();
        await redis.SetAsync("tok", target.Address);
        await using var daemon = await StartDaemonAsync($"127.0.0.1:{redis.Port}");

        await using var before = await UpgradeAsync(daemon, "tok");
        await AssertBytesEchoedAsync(before);

        await redis.StopAsync();
        var asked = Stopwatch.StartNew();
        await using (var down = await UpgradeAsync(daemon, "tok"))
        {
            Assert.Equal(503, down.StatusCode);
        }

        Assert.True(asked.Elapsed < TimeSpan.FromSeconds(4), $"the 503 took {asked.Elapsed}: not bounded by the 2 s timeouts");
        await daemon.WaitForLineAsync(line => line.Contains("WARN", StringComparison.Ordinal) && line.Contains("cannot reach Redis", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.False(daemon.HasExited);
        await AssertBytesEchoedAsync(before); // the session made before Redis went down goes on

        await redis.StartAgainAsync();
        await redis.SetAsync("tok", target.Address); // --save '': the data went with the process
        await using (var after = await UpgradeOnceRedisIsBackAsync(daemon, "tok"))
        {
            await AssertBytesEchoedAsync(after);
        }

        Assert.Equal(2, target.Accepted);
        await daemon.WaitForLineAsync(line => line.Contains($"connected to Redis at 127.0.0.1:{redis.Port}", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
    }
}
