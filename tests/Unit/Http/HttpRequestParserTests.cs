using System.Text;
using Websockify.Http;

namespace Websockify.Tests.Unit.Http;

public sealed class HttpRequestParserTests
{
    private static HttpRequest Parse(string head) => HttpRequestParser.Parse(Encoding.Latin1.GetBytes(head));

    private static int Status(string head) => Assert.Throws<HttpRequestRejectedException>(() => Parse(head)).StatusCode;

    [Fact]
    public void Parses_request_line_and_headers_in_order()
    {
        var request = Parse("GET /websockify?token=a HTTP/1.1\r\nHost: x:6080\r\nUpgrade:websocket\r\nX-A: 1\r\nx-a:  2 \t");
        Assert.Equal("GET", request.Method);
        Assert.Equal("/websockify?token=a", request.Target);
        Assert.Equal("/websockify", request.Path);
        Assert.Equal("HTTP/1.1", request.Version);
        Assert.Equal("websocket", request.Get("upgrade"));
        Assert.Equal("1, 2", request.Get("X-A"));
        Assert.Null(request.Get("Origin"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nConnection: keep-alive, Upgrade", true)]
    [InlineData("GET / HTTP/1.1\r\nConnection: keep-alive\r\nConnection: upgrade", true)]
    [InlineData("GET / HTTP/1.1\r\nConnection: upgraded", false)]
    public void Token_lists_are_matched_case_insensitively(string head, bool expected) =>
        Assert.Equal(expected, Parse(head).HasToken("Connection", "Upgrade"));

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost : x")]              // whitespace before the colon
    [InlineData("GET / HTTP/1.1\r\nHost: x\r\n folded")]    // obsolete line folding
    [InlineData("GET / HTTP/1.1\r\nHost: a\nb")]            // bare LF inside a value
    [InlineData("GET / HTTP/1.1\r\nHost: a\0b")]            // NUL in a value
    [InlineData("GET / HTTP/1.1\r\n: x")]                   // empty field name
    [InlineData("GET / HTTP/1.1\r\nBad{Name: x")]           // not a token
    [InlineData("GET /a b HTTP/1.1")]                       // space in the target
    [InlineData("GET  HTTP/1.1")]                           // no target
    [InlineData("GET / HTTX/1.1")]
    [InlineData("GET / HTTP/1")]
    [InlineData("GET\r\nHost: x")]
    public void Malformed_requests_are_400(string head) => Assert.Equal(400, Status(head));

    [Fact]
    public void Other_major_versions_are_505() => Assert.Equal(505, Status("GET / HTTP/2.0\r\nHost: x"));

    [Fact]
    public void Header_count_is_bounded()
    {
        var head = new StringBuilder("GET / HTTP/1.1");
        for (var i = 0; i <= Limits.MaxHeaderCount; i++)
        {
            head.Append($"\r\nX-{i}: v");
        }

        Assert.Equal(431, Status(head.ToString()));
    }
}
