using Websockify.Targets;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenFileFormatTests
{
    private static (Dictionary<string, TargetEndpoint> Tokens, List<TokenFileError> Errors) Parse(string text)
    {
        var tokens = new Dictionary<string, TargetEndpoint>(StringComparer.Ordinal);
        var errors = new List<TokenFileError>();
        TokenFileFormat.Parse(text, tokens, errors);
        return (tokens, errors);
    }

    [Fact]
    public void Lines_are_token_colon_space_target_with_comments_and_blank_lines_skipped()
    {
        var (tokens, errors) = Parse("# desks\n\ndesk1: 10.0.0.1:5901\ndesk2:\tvnc.example:5902\r\n   \n#x: 1.1.1.1:1\n");
        Assert.Empty(errors);
        Assert.Equal(2, tokens.Count);
        Assert.Equal(TargetEndpoint.Tcp("10.0.0.1", 5901), tokens["desk1"]);
        Assert.Equal(TargetEndpoint.Tcp("vnc.example", 5902), tokens["desk2"]);
    }

    [Fact]
    public void As_upstream_leading_white_space_is_part_of_the_token_and_a_later_line_wins()
    {
        var (tokens, _) = Parse(" tok5: h:1\ntok: h:1\ntok: h:2\n");
        Assert.True(tokens.ContainsKey(" tok5"));
        Assert.False(tokens.ContainsKey("tok5"));
        Assert.Equal(2, tokens["tok"].Port);
    }

    [Fact]
    public void Unix_sockets_and_ipv6_targets_work()
    {
        var (tokens, errors) = Parse("a: unix_socket:/run/vnc/a.sock\nb: ::1:5901\nc: [::1]:5902\n");
        Assert.Empty(errors);
        Assert.Equal("/run/vnc/a.sock", tokens["a"].UnixPath);
        Assert.Equal(("::1", 5901), (tokens["b"].Host, tokens["b"].Port));
        Assert.Equal(("::1", 5902), (tokens["c"].Host, tokens["c"].Port));
    }

    [Theory]
    [InlineData("tok:host:1")]
    [InlineData("tok: host: 1")]
    [InlineData("tok")]
    [InlineData("tok: host")]
    [InlineData("tok: host:99999")]
    [InlineData("tok: unix_socket:relative")]
    public void Anything_else_is_an_error_with_its_line_number(string line)
    {
        var (tokens, errors) = Parse("good: h:1\n" + line + "\n");
        Assert.Single(tokens);
        Assert.Equal(2, Assert.Single(errors).Line);
    }
}
