using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Websockify.Auth;
using Websockify.Cli;
using Websockify.Connections;
using Websockify.Hosting;
using Websockify.Http;
using Xunit;

namespace Websockify.Tests.Unit.Auth;

public sealed class AuthPluginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("auth-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static IConnectionAuthenticator Create(string plugin, string? source, string? credentials = null, bool verifyClient = false) =>
        AuthPlugins.Find(plugin).Parse(new AuthSourceArguments(source, "/work", credentials, verifyClient))(NullLogger.Instance);

    private static async Task<HttpRejection?> DecideAsync(IConnectionAuthenticator auth, TlsFacts? tls = null, params KeyValuePair<string, string>[] headers)
    {
        using var pair = await LoopbackPair.CreateAsync();
        await using var connection = new ConnectionContext(1, pair.Near, 0) { Tls = tls };
        return await auth.AuthenticateAsync(connection, new HttpRequest("GET", "/", "HTTP/1.1", headers), CancellationToken.None);
    }

    private static KeyValuePair<string, string> Basic(string credentials) =>
        new("Authorization", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));

    [Fact]
    public void Plugins_are_found_by_upstream_names_bare_and_dotted()
    {
        Assert.Equal("ExpectOrigin", AuthPlugins.Find("websockify.auth_plugins.ExpectOrigin").Name);
        var error = Assert.Throws<CliUsageException>(() => AuthPlugins.Find("mymodule.MyAuth"));
        Assert.Contains("BasicHTTPAuth, ExpectOrigin, ClientCertCNAuth", error.Message);
    }

    [Fact]
    public async Task Basic_accepts_the_right_credentials_only()
    {
        var auth = Create("BasicHTTPAuth", "alice:s3cr:et");
        Assert.Null(await DecideAsync(auth, null, Basic("alice:s3cr:et")));
        foreach (var wrong in new[] { "alice:s3cr", "alice:s3cr:et ", "bob:s3cr:et", "alice", "" })
        {
            var refusal = await DecideAsync(auth, null, Basic(wrong));
            Assert.Equal(401, refusal!.Status);
            Assert.Equal("Basic realm=\"Websockify\", charset=\"UTF-8\"", refusal.Headers.Single(h => h.Key == "WWW-Authenticate").Value);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer abc")]
    [InlineData("Basic !!!not-base64")]
    [InlineData("Basic ")]
    public async Task Basic_answers_every_other_request_with_the_challenge(string? authorization)
    {
        var auth = Create("BasicHTTPAuth", "alice:pw");
        var headers = authorization is null ? Array.Empty<KeyValuePair<string, string>>() : [new("Authorization", authorization)];
        Assert.Equal(401, (await DecideAsync(auth, null, headers))!.Status);
    }

    [Fact]
    public async Task Basic_scheme_name_is_case_insensitive() =>
        Assert.Null(await DecideAsync(Create("BasicHTTPAuth", "a:b"), null, new KeyValuePair<string, string>("Authorization", "basic YTpi")));

    [Fact]
    public async Task Basic_reads_a_file_or_the_systemd_credential_and_rereads_it_on_reload()
    {
        var file = Path.Combine(_dir, "credentials");
        await File.WriteAllTextAsync(file, "alice:one\nignored second line\n");
        var auth = Create("BasicHTTPAuth", "@" + file);
        Assert.Null(await DecideAsync(auth, null, Basic("alice:one")));

        await File.WriteAllTextAsync(file, "alice:two\n");
        Assert.NotNull(await DecideAsync(auth, null, Basic("alice:two"))); // not before SIGHUP
        ((IReloadable)auth).Reload(NullLogger.Instance);
        Assert.Null(await DecideAsync(auth, null, Basic("alice:two")));

        await File.WriteAllTextAsync(file, "no colon here\n");
        ((IReloadable)auth).Reload(NullLogger.Instance);
        Assert.Null(await DecideAsync(auth, null, Basic("alice:two"))); // a broken file keeps the old credentials

        await File.WriteAllTextAsync(Path.Combine(_dir, BasicHttpAuth.CredentialName), "carol:three\n");
        Assert.Null(await DecideAsync(Create("BasicHTTPAuth", null, credentials: _dir), null, Basic("carol:three")));
    }

    [Theory]
    [InlineData("nocolon", "expected user:password")]
    [InlineData(null, "needs --auth-source user:password")]
    [InlineData("@/nonexistent/credentials", "cannot read '/nonexistent/credentials'")]
    public void Basic_source_errors_are_usage_errors(string? source, string message) =>
        Assert.Contains(message, Assert.Throws<CliUsageException>(() => Create("BasicHTTPAuth", source)).Message);

    [Fact]
    public async Task Expect_origin_allows_the_listed_origins_only()
    {
        var auth = Create("ExpectOrigin", "https://desk.example.com  http://localhost:6080");
        Assert.Null(await DecideAsync(auth, null, new KeyValuePair<string, string>("Origin", "https://desk.example.com")));
        Assert.Null(await DecideAsync(auth, null, new KeyValuePair<string, string>("Origin", "HTTP://LOCALHOST:6080")));
        Assert.Null(await DecideAsync(auth, null, new KeyValuePair<string, string>("Sec-WebSocket-Origin", "http://localhost:6080")));
        Assert.Equal(403, (await DecideAsync(auth, null, new KeyValuePair<string, string>("Origin", "https://evil.example")))!.Status);
        Assert.Equal(403, (await DecideAsync(auth, null, new KeyValuePair<string, string>("Origin", "https://desk.example.com.evil")))!.Status);
        Assert.Equal(403, (await DecideAsync(auth))!.Status);
    }

    [Fact]
    public void Expect_origin_needs_a_list() =>
        Assert.Contains("needs --auth-source", Assert.Throws<CliUsageException>(() => Create("ExpectOrigin", "  ")).Message);

    [Fact]
    public async Task Client_cert_cn_decides_from_the_verified_certificate_never_from_headers()
    {
        var auth = Create("ClientCertCNAuth", "alice bob", verifyClient: true);
        var alice = new TlsFacts(default, default, null, new ClientCertificateFacts("CN=alice", "alice", "00"));
        var mallory = new TlsFacts(default, default, null, new ClientCertificateFacts("CN=mallory", "mallory", "00"));
        var unverified = new TlsFacts(default, default, null, null);
        Assert.Null(await DecideAsync(auth, alice));
        Assert.Equal(403, (await DecideAsync(auth, mallory, new KeyValuePair<string, string>("SSL_CLIENT_S_DN_CN", "alice")))!.Status);
        Assert.Equal(403, (await DecideAsync(auth, unverified, new KeyValuePair<string, string>("ssl_client_s_dn_cn", "alice")))!.Status);
        Assert.Equal(403, (await DecideAsync(auth, null, new KeyValuePair<string, string>("SSL_CLIENT_S_DN_CN", "alice")))!.Status);
    }

    [Fact]
    public void Client_cert_cn_needs_verify_client() =>
        Assert.Contains("needs --verify-client", Assert.Throws<CliUsageException>(() => Create("ClientCertCNAuth", "alice")).Message);
}
