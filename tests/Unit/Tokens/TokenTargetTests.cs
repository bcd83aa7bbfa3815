using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenTargetTests
{
    [Theory]
    [InlineData("127.0.0.1:5901", "127.0.0.1", 5901)]
    [InlineData("  vnc.example:5900 \t", "vnc.example", 5900)]
    [InlineData("::1:5901", "::1", 5901)]
    [InlineData("[::1]:5901", "::1", 5901)]
    [InlineData("[fe80::1%eth0]:1", "fe80::1%eth0", 1)]
    public void Host_and_port_split_at_the_last_colon_brackets_removed(string text, string host, int port)
    {
        var target = TokenTarget.Parse(text);
        Assert.NotNull(target);
        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Null(target.UnixPath);
    }

    [Theory]
    [InlineData("")]
    [InlineData("host")]
    [InlineData(":5900")]
    [InlineData("host:")]
    [InlineData("host:0")]
    [InlineData("host:65536")]
    [InlineData("host:+5")]
    [InlineData("host:5 9")]
    [InlineData("ho st:5900")]
    [InlineData("a/b:5900")]
    [InlineData("unix_socket:relative/path")]
    [InlineData("unix_socket:")]
    public void Anything_else_is_not_a_target(string text) => Assert.Null(TokenTarget.Parse(text));

    [Fact]
    public void Unix_socket_targets_need_an_absolute_path_that_fits_sockaddr_un()
    {
        Assert.Equal("/run/vnc/1.sock", TokenTarget.Parse("unix_socket:/run/vnc/1.sock")!.UnixPath);
        Assert.Null(TokenTarget.Parse("unix_socket:/" + new string('a', 107)));
        Assert.NotNull(TokenTarget.Parse("unix_socket:/" + new string('a', 106)));
    }

    [Fact]
    public void Host_names_are_bounded() => Assert.Null(TokenTarget.Tcp(new string('a', 256), "1"));
}
