using Websockify.Http;
using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

public sealed class ConnectionReuseTests
{
    private static HttpRequest Request(string version, params (string Name, string Value)[] headers) =>
        new("GET", "/", version, headers.Select(h => new KeyValuePair<string, string>(h.Name, h.Value)).ToList());

    [Fact]
    public void Http11_keeps_the_connection_by_default() => Assert.True(ConnectionReuse.Allows(Request("HTTP/1.1"), 1));

    [Fact]
    public void Http10_closes_even_when_asked_to_keep_alive() =>
        Assert.False(ConnectionReuse.Allows(Request("HTTP/1.0", ("Connection", "keep-alive")), 1));

    [Fact]
    public void Connection_close_closes() => Assert.False(ConnectionReuse.Allows(Request("HTTP/1.1", ("Connection", "foo, Close")), 1));

    [Fact]
    public void The_last_request_allowed_closes()
    {
        Assert.True(ConnectionReuse.Allows(Request("HTTP/1.1"), Limits.MaxRequestsPerConnection - 1));
        Assert.False(ConnectionReuse.Allows(Request("HTTP/1.1"), Limits.MaxRequestsPerConnection));
    }

    [Fact]
    public void A_request_with_a_body_closes_since_the_body_is_never_read()
    {
        Assert.False(ConnectionReuse.Allows(Request("HTTP/1.1", ("Content-Length", "5")), 1));
        Assert.False(ConnectionReuse.Allows(Request("HTTP/1.1", ("Transfer-Encoding", "chunked")), 1));
        Assert.True(ConnectionReuse.Allows(Request("HTTP/1.1", ("Content-Length", "0")), 1));
    }
}
