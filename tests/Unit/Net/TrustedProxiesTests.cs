using System.Net;
using System.Net.Sockets;
using Websockify.Net;

namespace Websockify.Tests.Unit.Net;

public sealed class TrustedProxiesTests
{
    [Theory]
    [InlineData("127.0.0.1", "127.0.0.1", true)]
    [InlineData("127.0.0.1", "127.0.0.2", false)]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("10.0.0.0/8, 192.0.2.0/24", "192.0.2.77", true)]
    [InlineData("2001:db8::/32", "2001:db8:1::5", true)]
    [InlineData("2001:db8::/32", "2001:db9::5", false)]
    [InlineData("::1", "::1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)] // a dual-stack listener's spelling of the same peer
    [InlineData("0.0.0.0/0", "203.0.113.9", true)]
    public void An_address_is_trusted_when_an_entry_holds_it(string list, string address, bool trusted) =>
        Assert.Equal(trusted, TrustedProxies.Parse(list).Trusts(IPAddress.Parse(address)));

    [Fact]
    public void Unix_trusts_unix_socket_clients_and_nothing_else_does()
    {
        var unix = new UnixDomainSocketEndPoint("/run/x.sock");
        Assert.True(TrustedProxies.Parse("unix").Trusts(unix));
        Assert.False(TrustedProxies.Parse("0.0.0.0/0").Trusts(unix));
        Assert.False(TrustedProxies.Parse("unix").Trusts(new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.False(TrustedProxies.None.Trusts(new IPEndPoint(IPAddress.Loopback, 1)));
        Assert.True(TrustedProxies.None.IsEmpty);
    }

    [Theory]
    [InlineData("")]
    [InlineData("127.0.0.1,")]
    [InlineData("localhost")]
    [InlineData("10.0.0.1/8")] // host bits set: a typo for 10.0.0.0/8 or for one host, and we will not guess
    [InlineData("10.0.0.0/33")]
    [InlineData("unix:/run/x")]
    public void A_bad_entry_is_named_in_the_error(string list)
    {
        var error = Assert.Throws<FormatException>(() => TrustedProxies.Parse(list));
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Fact]
    public void The_list_is_bounded()
    {
        var list = string.Join(',', Enumerable.Range(1, TrustedProxies.MaxEntries + 1).Select(i => $"10.0.{i}.0/24"));
        Assert.Throws<FormatException>(() => TrustedProxies.Parse(list));
        Assert.Equal("10.0.0.0/8,127.0.0.1/32,unix", TrustedProxies.Parse("10.0.0.0/8, 127.0.0.1 ,unix").ToString());
    }
}
