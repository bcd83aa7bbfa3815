using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>BaseTokenAPI, JSONTokenApi (against a real local HTTP server) and JWTTokenApi through the real binary.</summary>
public sealed class TokenApiTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("token-api-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<int> StatusAsync(int port, string token)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port, RawWebSocketClient.UpgradeRequest(port, path: "/websockify?token=" + Uri.EscapeDataString(token)));
        return client.StatusCode;
    }

    [Fact]
    public async Task Base_token_api_gets_the_target_from_the_api_with_the_token_url_encoded()
    {
        await using var target = TcpTarget.Echo();
        await using var api = TokenApiServer.Start((url, response) => url switch
        {
            "/lookup/desk1?v=1" => TokenApiServer.WriteAsync(response, 200, target.Address + "\n"),
            "/lookup/garbage?v=1" => TokenApiServer.WriteAsync(response, 200, "not a target"),
            "/lookup/big?v=1" => TokenApiServer.WriteAsync(response, 200, new string('x', 5000)),
            "/lookup/broken?v=1" => TokenApiServer.WriteAsync(response, 500, "oops"),
            "/lookup/slow?v=1" => Task.Delay(TimeSpan.FromSeconds(8)).ContinueWith(_ => TokenApiServer.WriteAsync(response, 200, target.Address)).Unwrap(),
            _ => TokenApiServer.WriteAsync(response, 404, "no such token"),
        });
        await using var daemon = await DaemonProcess.StartAsync(["--token-plugin", "BaseTokenAPI", "--token-source", $"http://127.0.0.1:{api.Port}/lookup/%s?v=1", "127.0.0.1:0"]);

        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/websockify?token=desk1")))
        {
            await client.AssertEchoAsync("looked up over HTTP");
        }

        Assert.Equal(403, await StatusAsync(daemon.Port, "a/b?c=d#e"));
        Assert.Contains("/lookup/a%2Fb%3Fc%3Dd%23e?v=1", api.Requests); // upstream would have asked for /lookup/a/b?c=d
        Assert.Equal(403, await StatusAsync(daemon.Port, "garbage"));
        Assert.Equal(403, await StatusAsync(daemon.Port, "big"));
        Assert.Equal(503, await StatusAsync(daemon.Port, "broken"));
        var started = DateTime.UtcNow;
        Assert.Equal(503, await StatusAsync(daemon.Port, "slow"));
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(7)); // the 3 s bound, not the 8 s answer
        Assert.Equal(1, target.Accepted);
    }

    [Fact]
    public async Task Json_token_api_reads_host_and_port_and_a_dead_api_is_503()
    {
        await using var target = TcpTarget.Echo();
        await using var api = TokenApiServer.Start((url, response) => url == "/t/desk1"
            ? TokenApiServer.WriteAsync(response, 200, $"{{\"host\": \"127.0.0.1\", \"port\": {target.Port}}}")
            : TokenApiServer.WriteAsync(response, 200, "{\"host\": \"127.0.0.1\"}"));
        await using var daemon = await DaemonProcess.StartAsync(["--token-plugin", "JSONTokenApi", "--token-source", $"http://127.0.0.1:{api.Port}/t/%s", "127.0.0.1:0"]);
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/websockify?token=desk1")))
        {
            await client.AssertEchoAsync("looked up as JSON");
        }

        Assert.Equal(403, await StatusAsync(daemon.Port, "no-port"));

        await using var nobody = await DaemonProcess.StartAsync(["--token-plugin", "JSONTokenApi", "--token-source", $"http://127.0.0.1:{TcpTarget.UnusedPort()}/t/%s", "127.0.0.1:0"]);
        Assert.Equal(503, await StatusAsync(nobody.Port, "desk1"));
    }

    [Fact]
    public async Task Jwt_tokens_signed_with_the_key_reach_their_target_and_the_rest_get_403()
    {
        await using var target = TcpTarget.Echo();
        var secret = RandomNumberGenerator.GetBytes(32);
        var keyFile = Path.Combine(_dir, "jwt.key");
        await File.WriteAllTextAsync(keyFile, Base64Url.EncodeToString(secret) + "\n");
        await using var daemon = await DaemonProcess.StartAsync(["--token-plugin", "JWTTokenApi", "--token-source", keyFile, "127.0.0.1:0"]);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var good = Jwt("HS256", $"{{\"host\":\"127.0.0.1\",\"port\":{target.Port},\"exp\":{now + 300}}}", d => HMACSHA256.HashData(secret, d));
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/websockify?token=" + good)))
        {
            await client.AssertEchoAsync("signed");
        }

        Assert.Equal(403, await StatusAsync(daemon.Port, Jwt("HS256", $"{{\"host\":\"127.0.0.1\",\"port\":{target.Port},\"exp\":{now - 1}}}", d => HMACSHA256.HashData(secret, d))));
        Assert.Equal(403, await StatusAsync(daemon.Port, Jwt("HS256", $"{{\"host\":\"127.0.0.1\",\"port\":{target.Port}}}", d => HMACSHA256.HashData(new byte[32], d))));
        Assert.Equal(403, await StatusAsync(daemon.Port, B64("{\"alg\":\"none\"}") + "." + B64($"{{\"host\":\"127.0.0.1\",\"port\":{target.Port}}}") + "."));
        Assert.Equal(1, target.Accepted);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains(good, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("BaseTokenAPI", "http://127.0.0.1/no-placeholder")]
    [InlineData("JSONTokenApi", "ftp://127.0.0.1/%s")]
    [InlineData("BaseTokenAPI", "http://127.0.0.1/%s/%s")]
    public async Task A_source_url_without_one_placeholder_or_not_http_is_a_usage_error(string plugin, string source)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--token-plugin", plugin, "--token-source", source, "127.0.0.1:0");
        Assert.Equal(2, exit);
        Assert.Contains("with %s once where the token goes", stderr);
    }

    private static string Jwt(string alg, string claims, Func<byte[], byte[]> sign)
    {
        var signed = B64($"{{\"alg\":\"{alg}\"}}") + "." + B64(claims);
        return signed + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signed)));
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}
