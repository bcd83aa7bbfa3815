using Websockify.Http;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenExtractorTests
{
    [Theory]
    [InlineData("/websockify?token=abc", "abc")]
    [InlineData("/?a=1&token=abc&b=2", "abc")]
    [InlineData("/?token=a%2Fb%20c", "a/b c")]
    [InlineData("/?token=a+b", "a b")]
    [InlineData("/?token=abc%0A%0A", "abc")]
    [InlineData("/?token=&token=second", "second")]
    [InlineData("/?token=first&token=second", "first")]
    [InlineData("/?tok%65n=abc", "abc")]
    [InlineData("/?token=abc#fragment", "abc")]
    [InlineData("/?token=%C3%A9", "\u00e9")]
    public void Query_token_follows_parse_qs(string target, string token) => Assert.Equal(token, TokenExtractor.FromQuery(target));

    [Theory]
    [InlineData("/websockify")]
    [InlineData("/?")]
    [InlineData("/?token=")]
    [InlineData("/?token")]
    [InlineData("/?tokens=abc")]
    [InlineData("/?xtoken=abc")]
    [InlineData("/path/token=abc")]
    public void No_or_empty_token_is_none(string target) => Assert.Null(TokenExtractor.FromQuery(target));

    [Theory]
    [InlineData("desk1.example.com:6080", "desk1.example.com")]
    [InlineData("desk1.example.com", "desk1.example.com")]
    [InlineData("[::1]:6080", "[::1]")]
    [InlineData("[::1]", "[::1]")]
    [InlineData(":6080", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Host_token_is_the_host_without_its_port(string? host, string? token) => Assert.Equal(token, TokenExtractor.FromHost(host));

    [Fact]
    public void Host_token_ignores_the_query_and_the_query_token_ignores_host()
    {
        var request = new HttpRequest("GET", "/?token=from-query", "HTTP/1.1", [new("Host", "from-host:6080")]);
        Assert.Equal("from-host", TokenExtractor.From(request, hostToken: true));
        Assert.Equal("from-query", TokenExtractor.From(request, hostToken: false));
    }

    [Fact]
    public void Token_hash_is_the_first_eight_hex_digits_of_sha256() =>
        Assert.Equal("ba7816bf", TokenHash.Short("abc")); // SHA-256("abc") = ba7816bf 8f01cfea ...
}
