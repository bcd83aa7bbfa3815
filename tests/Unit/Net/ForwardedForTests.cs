using System.Net;
using Websockify.Net;

namespace Websockify.Tests.Unit.Net;

public sealed class ForwardedForTests
{
    private static readonly TrustedProxies Balancers = TrustedProxies.Parse("127.0.0.1,10.0.0.0/8");

    private static string? Client(params string[] values) => ForwardedFor.Client(values, Balancers)?.ToString();

    [Fact]
    public void One_hop_names_the_client() => Assert.Equal("203.0.113.7", Client("203.0.113.7"));

    [Fact]
    public void Trusted_hops_on_the_right_are_skipped() => Assert.Equal("203.0.113.7", Client("203.0.113.7, 10.1.2.3, 10.4.5.6"));

    [Fact]
    public void What_the_client_wrote_left_of_itself_is_ignored() =>
        Assert.Equal("203.0.113.7", Client("1.2.3.4, 10.9.9.9, 203.0.113.7, 10.1.2.3"));

    [Fact]
    public void Several_header_lines_are_one_list_in_order() =>
        Assert.Equal("198.51.100.2", Client("203.0.113.7", "198.51.100.2, 10.0.0.1", ""));

    [Fact]
    public void All_trusted_gives_the_leftmost() => Assert.Equal("10.0.0.5", Client("10.0.0.5, 127.0.0.1"));

    [Theory]
    [InlineData("unknown")]
    [InlineData("203.0.113.7, , 10.0.0.1")] // an empty hop right of the client
    [InlineData("203.0.113.7, client.example")]
    [InlineData("203.0.113.7, 127.1")] // not a balancer's spelling
    [InlineData("0x7f.0.0.1")]
    [InlineData("fe80::1%eth0")]
    public void A_hop_that_cannot_be_read_before_the_client_gives_no_answer(string value) => Assert.Null(Client(value));

    [Fact]
    public void Garbage_left_of_the_client_does_not_matter() => Assert.Equal("203.0.113.7", Client("unknown, 203.0.113.7"));

    [Theory]
    [InlineData("203.0.113.7:4711", "203.0.113.7")]
    [InlineData("2001:db8::7", "2001:db8::7")]
    [InlineData("[2001:db8::7]", "2001:db8::7")]
    [InlineData("[2001:db8::7]:4711", "2001:db8::7")]
    public void Ports_and_brackets_as_balancers_write_them(string hop, string address) => Assert.Equal(address, Client(hop));

    [Theory]
    [InlineData("203.0.113.7:")]
    [InlineData("203.0.113.7:123456")]
    [InlineData("[2001:db8::7")]
    [InlineData("[203.0.113.7]")]
    [InlineData("[2001:db8::7]x")]
    public void Broken_ports_and_brackets_are_refused(string hop) => Assert.Null(ForwardedFor.ParseHop(hop));

    [Fact]
    public void A_long_chain_is_cut_at_max_hops()
    {
        var chain = string.Join(", ", Enumerable.Repeat("10.0.0.1", ForwardedFor.MaxHops + 5).Prepend("203.0.113.7"));
        Assert.Equal("10.0.0.1", Client(chain)); // only trusted hops within the bound: the leftmost of those
        Assert.Equal(IPAddress.Parse("203.0.113.7"), ForwardedFor.Client(["203.0.113.7, 10.0.0.1"], Balancers));
    }
}
