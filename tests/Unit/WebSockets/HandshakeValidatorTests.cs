using System.Text;
using Websockify.Http;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

public sealed class HandshakeValidatorTests
{
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    private static HttpRequest Request(string method = "GET", string version = "HTTP/1.1", params string[] headers)
    {
        var all = headers.Length > 0 ? headers : Defaults();
        return HttpRequestParser.Parse(Encoding.ASCII.GetBytes($"{method} / {version}\r\n{string.Join("\r\n", all)}"));
    }

    private static string[] Defaults(string version = "13", string key = Key, string? protocol = null) =>
        new[] { "Host: h", "Upgrade: websocket", "Connection: Upgrade", $"Sec-WebSocket-Version: {version}", $"Sec-WebSocket-Key: {key}" }
            .Concat(protocol is null ? [] : [$"Sec-WebSocket-Protocol: {protocol}"]).ToArray();

    private static int Status(HttpRequest request) =>
        Assert.Throws<HttpRequestRejectedException>(() => HandshakeValidator.Validate(request)).StatusCode;

    [Fact]
    public void Accept_key_matches_the_rfc_6455_example() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", HandshakeValidator.Validate(Request()).AcceptKey);

    [Theory]
    [InlineData("7")]
    [InlineData("8")]
    [InlineData("13")]
    public void Hybi_versions_7_8_and_13_are_accepted(string version) =>
        Assert.NotNull(HandshakeValidator.Validate(Request(headers: Defaults(version))));

    [Theory]
    [InlineData("12")]
    [InlineData("0")]
    [InlineData("x")]
    public void Other_versions_get_426(string version) => Assert.Equal(426, Status(Request(headers: Defaults(version))));

    [Fact]
    public void Missing_version_gets_426() =>
        Assert.Equal(426, Status(Request(headers: Defaults().Where(h => !h.StartsWith("Sec-WebSocket-Version", StringComparison.Ordinal)).ToArray())));

    [Theory]
    [InlineData("")]
    [InlineData("not base64!")]
    [InlineData("c2hvcnQ=")] // base64 of 5 bytes, not 16
    public void Invalid_keys_get_400(string key) => Assert.Equal(400, Status(Request(headers: Defaults(key: key))));

    [Fact]
    public void Missing_key_gets_400() =>
        Assert.Equal(400, Status(Request(headers: Defaults().Where(h => !h.StartsWith("Sec-WebSocket-Key", StringComparison.Ordinal)).ToArray())));

    [Fact]
    public void Upgrade_needs_get_and_http_1_1()
    {
        Assert.Equal(405, Status(Request(method: "POST")));
        Assert.Equal(400, Status(Request(version: "HTTP/1.0")));
    }

    [Fact]
    public void Upgrade_needs_connection_upgrade_and_one_host()
    {
        Assert.Equal(400, Status(Request(headers: Defaults().Where(h => !h.StartsWith("Connection", StringComparison.Ordinal)).ToArray())));
        Assert.Equal(400, Status(Request(headers: Defaults().Where(h => !h.StartsWith("Host", StringComparison.Ordinal)).ToArray())));
        Assert.Equal(400, Status(Request(headers: [.. Defaults(), "Host: other"])));
    }

    [Fact]
    public void Only_upgrade_websocket_is_an_upgrade()
    {
        Assert.True(HandshakeValidator.IsUpgradeRequest(Request()));
        Assert.False(HandshakeValidator.IsUpgradeRequest(Request(headers: ["Host: h", "Upgrade: h2c"])));
    }

    [Theory]
    [InlineData(null, null, "Binary")]
    [InlineData("binary", "binary", "Binary")]
    [InlineData("binary, base64", "binary", "Binary")]
    [InlineData("base64, binary", "binary", "Binary")] // upstream answers 400 here
    [InlineData("base64", "base64", "Base64")]
    [InlineData("chat, base64", "base64", "Base64")]
    [InlineData("chat", null, "Binary")]
    public void Subprotocol_negotiation(string? offered, string? chosen, string encoding)
    {
        var result = HandshakeValidator.Validate(Request(headers: Defaults(protocol: offered)));
        Assert.Equal(new SubprotocolChoice(chosen, Enum.Parse<PayloadEncoding>(encoding)), result.Subprotocol);
    }

    [Fact]
    public void Subprotocol_offers_in_several_headers_are_combined() =>
        Assert.Equal("binary", SubprotocolNegotiator.Choose(["chat", "binary"]).Name);
}
