using System.Text;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenRedisValueTests
{
    private static TokenLookup Parse(string value) => TokenRedisValue.Parse(Encoding.UTF8.GetBytes(value));

    [Theory]
    [InlineData("{\"host\": \"127.0.0.1:5901\"}", "127.0.0.1", 5901)]
    [InlineData("  {\"host\" :  \"vnc.example:5900\" }\n", "vnc.example", 5900)]
    [InlineData("{\"port\": 1, \"host\": \"h:2\", \"extra\": {\"a\": [1, {\"host\": \"x:9\"}]}}", "h", 2)]
    [InlineData("{\"host\": 5, \"host\": \"h:3\"}", "h", 3)] // json.loads keeps the last
    [InlineData("{\"host\": \"[::1]:5901\"}", "::1", 5901)]
    [InlineData("127.0.0.1:5901", "127.0.0.1", 5901)]
    [InlineData("\t 127.0.0.1:5901 \r\n", "127.0.0.1", 5901)]
    [InlineData("::1:5901", "::1", 5901)]
    public void Json_or_plain_host_port(string value, string host, int port)
    {
        var found = Parse(value);
        Assert.Equal(TokenOutcome.Found, found.Outcome);
        Assert.Equal(host, found.Target!.Host);
        Assert.Equal(port, found.Target.Port);
    }

    [Fact]
    public void A_unix_socket_target_works_too() =>
        Assert.Equal("/run/vnc.sock", Parse("{\"host\": \"unix_socket:/run/vnc.sock\"}").Target!.UnixPath);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"host\": \"127.0.0.1:5901\"")] // upstream's invalid JSON case
    [InlineData("{\"host\": \"127.0.0.1:5901\"} trailing")]
    [InlineData("{\"hostname\": \"127.0.0.1:5901\"}")]
    [InlineData("{\"host\": 5901}")]
    [InlineData("{\"host\": \"127.0.0.1\"}")]
    [InlineData("[\"127.0.0.1:5901\"]")]
    [InlineData("{}")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:59 01")]
    [InlineData("127.0.0.1:5901 and more")]
    [InlineData("127.0.0.1:vnc")]
    public void Anything_else_is_invalid(string value)
    {
        var found = Parse(value);
        Assert.Equal(TokenOutcome.Invalid, found.Outcome);
        Assert.Null(found.Target);
        Assert.NotNull(found.Detail);
    }

    [Fact]
    public void Not_utf8_is_invalid() =>
        Assert.Equal("the value is not UTF-8", TokenRedisValue.Parse([0x68, 0x3a, 0x31, 0xff]).Detail);

    [Fact]
    public void Values_are_bounded()
    {
        var padded = "127.0.0.1:5901" + new string(' ', TokenRedisValue.MaxBytes - 14);
        Assert.Equal(TokenOutcome.Found, Parse(padded).Outcome);
        Assert.Equal(TokenOutcome.Invalid, Parse(padded + " ").Outcome);
    }

    [Fact]
    public void Deep_json_is_invalid_not_a_crash() =>
        Assert.Equal(TokenOutcome.Invalid, Parse("{\"a\":" + new string('[', 100) + new string(']', 100) + ",\"host\":\"h:1\"}").Outcome);

    [Fact]
    public void Details_never_quote_the_value()
    {
        var found = Parse("secret-looking-value");
        Assert.DoesNotContain("secret", found.Detail!, StringComparison.Ordinal);
    }
}
