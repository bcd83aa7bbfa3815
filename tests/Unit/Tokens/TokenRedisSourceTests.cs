using Websockify.Cli;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenRedisSourceTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", 6379, 0, null, "")]
    [InlineData("redis.example:6380", "redis.example", 6380, 0, null, "")]
    [InlineData("h::3", "h", 6379, 3, null, "")]
    [InlineData("h:::verysecretpass", "h", 6379, 0, "verysecretpass", "")]
    [InlineData("h::::my-app", "h", 6379, 0, null, "my-app:")]
    [InlineData("h::::\"first-ns:second-ns\"", "h", 6379, 0, null, "first-ns:second-ns:")]
    [InlineData("h:6380:1:verysecretpass:my-app", "h", 6380, 1, "verysecretpass", "my-app:")]
    [InlineData("h:::\"pa:ss\"", "h", 6379, 0, "pa:ss", "")]
    [InlineData("h:::\"pa:ss\":ns", "h", 6379, 0, "pa:ss", "ns:")]
    [InlineData("h::::", "h", 6379, 0, null, "")]
    [InlineData("h:", "h", 6379, 0, null, "")]
    [InlineData("\"::1\":6380", "::1", 6380, 0, null, "")]
    [InlineData("\"[::1]\":6380", "::1", 6380, 0, null, "")]
    public void Upstream_syntax_with_defaults_for_empty_fields(string text, string host, int port, int db, string? password, string ns)
    {
        var source = TokenRedisSource.Parse(text);
        Assert.Equal(new TokenRedisSource(host, port, db, password, ns), source);
    }

    [Theory]
    [InlineData("h:port")]
    [InlineData("h:0")]
    [InlineData("h:65536")]
    [InlineData("h:+1")]
    [InlineData("h: 1")]
    [InlineData("h:1:x")]
    [InlineData("h:1:-1")]
    [InlineData("h:1:1:p:n:extra")]
    [InlineData(":6379")]
    [InlineData("")]
    [InlineData(null)]
    public void A_bad_source_is_a_usage_error(string? text) => Assert.Throws<CliUsageException>(() => TokenRedisSource.Parse(text));

    [Fact]
    public void The_password_is_never_in_its_text()
    {
        var source = TokenRedisSource.Parse("h:6380:2:s3cr3t:ns");
        Assert.DoesNotContain("s3cr3t", source.ToString(), StringComparison.Ordinal);
        Assert.Equal("h:6380 db 2 with a password namespace 'ns:'", source.ToString());
        var error = Assert.Throws<CliUsageException>(() => TokenRedisSource.Parse("h:x:2:s3cr3t"));
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plugin_is_registered_under_upstream_names()
    {
        Assert.Equal("TokenRedis", TokenPlugins.Find("TokenRedis").Name);
        Assert.Equal("TokenRedis", TokenPlugins.Find("websockify.token_plugins.TokenRedis").Name);
        Assert.Throws<CliUsageException>(() => TokenPlugins.Find("TokenRedis").Parse("h:nope", "/"));
    }

    [Fact]
    public void The_client_is_bounded_and_does_not_need_redis_at_start()
    {
        var options = TokenRedis.Options(TokenRedisSource.Parse("h:6380:2:pw"));
        Assert.False(options.AbortOnConnectFail);
        Assert.Equal(2000, options.ConnectTimeout);
        Assert.Equal(2000, options.SyncTimeout);
        Assert.Equal(2000, options.AsyncTimeout);
        Assert.Equal(2, options.DefaultDatabase);
        Assert.Equal("pw", options.Password);
        Assert.False(options.IncludeDetailInExceptions);
        Assert.Single(options.EndPoints);
    }
}
