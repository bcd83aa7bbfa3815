using System.Security.Cryptography;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>--auth-plugin through the real binary: each refusal has its status, and a refused request reaches neither the token plugin nor the target.</summary>
public sealed class AuthTests : IDisposable
{
    private static readonly TimeSpan LineWait = TimeSpan.FromSeconds(5);
    private readonly string _dir = Directory.CreateTempSubdirectory("auth-it-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Upgrade(int port, string path = "/websockify", string extra = "") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n";

    private static string BasicHeader(string credentials) =>
        $"Authorization: Basic {Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))}\r\n";

    [Fact]
    public async Task Basic_auth_challenges_without_or_with_wrong_credentials_and_lets_the_right_ones_through()
    {
        var credentials = Path.Combine(_dir, "credentials");
        await File.WriteAllTextAsync(credentials, "alice:correct horse\n");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--auth-plugin", "BasicHTTPAuth", "--auth-source", "@" + credentials, "127.0.0.1:0", target.Address]);
        Assert.DoesNotContain("correct horse", await File.ReadAllTextAsync($"/proc/{daemon.Pid}/cmdline"));

        foreach (var extra in new[] { "", BasicHeader("alice:wrong"), "Authorization: Basic %%%\r\n" })
        {
            await using var refused = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: extra));
            Assert.Equal(401, refused.StatusCode);
            Assert.Contains("WWW-Authenticate: Basic realm=\"Websockify\"", refused.ResponseHead);
        }

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: BasicHeader("alice:correct horse")));
        Assert.Equal(101, client.StatusCode);
        await client.AssertEchoAsync("authenticated");
        Assert.Equal(1, target.Accepted);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("wrong", StringComparison.Ordinal) && l.Contains("correct horse", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Basic_credentials_file_is_read_again_on_sighup_and_a_broken_one_keeps_the_old()
    {
        var credentials = Path.Combine(_dir, "credentials");
        await File.WriteAllTextAsync(credentials, "alice:one\n");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--auth-plugin", "BasicHTTPAuth", "--auth-source", "@" + credentials, "127.0.0.1:0", target.Address]);

        await using var open = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: BasicHeader("alice:one")));
        Assert.Equal(101, open.StatusCode);
        await File.WriteAllTextAsync(credentials, "alice:two\n");
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains("auth source reloaded", StringComparison.Ordinal), LineWait);
        await open.AssertEchoAsync("a session open across the reload goes on");
        await using (var old = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: BasicHeader("alice:one"))))
        {
            Assert.Equal(401, old.StatusCode);
        }

        await File.WriteAllTextAsync(credentials, "garbage without a colon\n");
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains("auth source not reloaded, keeping the current one", StringComparison.Ordinal), LineWait);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: BasicHeader("alice:two")));
        Assert.Equal(101, client.StatusCode);
    }

    [Fact]
    public async Task Expect_origin_refuses_a_cross_site_page_with_403()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--auth-plugin", "websockify.auth_plugins.ExpectOrigin", "--auth-source", "https://desk.example.com http://127.0.0.1:6080", "127.0.0.1:0", target.Address]);

        await using (var evil = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: "Origin: https://evil.example\r\n")))
        {
            Assert.Equal(403, evil.StatusCode);
        }

        await using (var none = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port)))
        {
            Assert.Equal(403, none.StatusCode);
        }

        await daemon.WaitForLineAsync(l => l.Contains("Invalid Origin Header: Expected one of [https://desk.example.com, http://127.0.0.1:6080], got 'https://evil.example'", StringComparison.Ordinal), LineWait);
        Assert.Equal(0, target.Accepted);
        await using var good = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: "Origin: https://desk.example.com\r\n"));
        await good.AssertEchoAsync("same site");
    }

    [Fact]
    public async Task Client_cert_cn_is_taken_from_the_verified_certificate_and_forged_headers_gain_nothing()
    {
        using var server = await TestCertificate.CreateAsync();
        using var ca = await TestCertificateAuthority.CreateAsync("Test CA one");
        using var alice = await ca.IssueClientAsync("alice");
        using var mallory = await ca.IssueClientAsync("mallory");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--verify-client", "--cafile", ca.CertPath, "--cert", server.CombinedPath, "--auth-plugin", "ClientCertCNAuth", "--auth-source", "alice",
             "127.0.0.1:0", target.Address]);

        foreach (var header in new[] { "SSL_CLIENT_S_DN_CN: alice\r\n", "ssl_client_s_dn_cn: alice\r\n", "Ssl_Client_S_Dn_Cn: alice\r\n" })
        {
            await using var forgedTls = await RawWebSocketClient.ConnectAsync(
                new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, daemon.Port), Upgrade(daemon.Port, extra: header), tls: true, clientCertificate: mallory);
            Assert.Equal(403, forgedTls.StatusCode);
            await using var forgedPlain = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, extra: header));
            Assert.Equal(403, forgedPlain.StatusCode);
        }

        Assert.Equal(0, target.Accepted);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true, clientCertificate: alice);
        await client.AssertEchoAsync("alice's desktop");
    }

    [Fact]
    public async Task Web_auth_guards_the_web_files_too_and_without_it_only_upgrades()
    {
        var root = Directory.CreateDirectory(Path.Combine(_dir, "www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(root, "vnc.html"), "<html>desk</html>");
        await using var target = TcpTarget.Echo();
        string[] common = ["--auth-plugin", "BasicHTTPAuth", "--auth-source", "u:p", "--web", root, "127.0.0.1:0", target.Address];
        await using var guarded = await DaemonProcess.StartAsync(["--web-auth", .. common]);
        await using var open = await DaemonProcess.StartAsync(common);

        await using (var http = await RawHttpConnection.OpenAsync(guarded.Port))
        {
            Assert.Equal(401, (await http.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status);
        }

        await using (var http = await RawHttpConnection.OpenAsync(guarded.Port))
        {
            var page = await http.ExchangeAsync(RawHttpConnection.Get("/vnc.html", extra: BasicHeader("u:p")));
            Assert.Equal(200, page.Status);
            Assert.Equal("<html>desk</html>", page.Text);
        }

        await using (var http = await RawHttpConnection.OpenAsync(open.Port))
        {
            Assert.Equal(200, (await http.ExchangeAsync(RawHttpConnection.Get("/vnc.html"))).Status);
        }

        await using var upgrade = await RawWebSocketClient.ConnectAsync(open.Port, Upgrade(open.Port));
        Assert.Equal(401, upgrade.StatusCode);
    }

    [Fact]
    public async Task A_refused_request_never_reaches_the_token_plugin()
    {
        await using var daemon = await DaemonProcess.StartAsync(
            ["--auth-plugin", "ExpectOrigin", "--auth-source", "https://ok.example", "--token-plugin", "BasePlugin", "127.0.0.1:0"]);
        await using (var refused = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, "/websockify?token=abc", "Origin: https://evil.example\r\n")))
        {
            Assert.Equal(403, refused.StatusCode);
        }

        // The same token from an allowed origin does reach the plugin (which knows no tokens): the log shows the difference.
        await using (var allowed = await RawWebSocketClient.ConnectAsync(daemon.Port, Upgrade(daemon.Port, "/websockify?token=abc", "Origin: https://ok.example\r\n")))
        {
            Assert.Equal(403, allowed.StatusCode);
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData("abc"u8)[..4]);
        await daemon.WaitForLineAsync(l => l.Contains($"token {hash} not found by BasePlugin", StringComparison.Ordinal), LineWait);
        Assert.Single(daemon.Lines, l => l.Contains($"token {hash}", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("abc", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("unknown plugin 'my.Auth'", "--auth-plugin", "my.Auth", "6080", "h:1")]
    [InlineData("needs --verify-client", "--auth-plugin", "ClientCertCNAuth", "--auth-source", "alice", "6080", "h:1")]
    [InlineData("You must use --web to use --web-auth", "--auth-plugin", "ExpectOrigin", "--auth-source", "x", "--web-auth", "6080", "h:1")]
    public async Task Auth_usage_errors_exit_2(string message, params string[] args)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync(args);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr);
    }
}
