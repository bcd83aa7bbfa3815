using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Targets;

namespace Websockify.Tests.Unit.Targets;

/// <summary>
/// Every header form against bytes written out by hand from HAProxy's proxy-protocol.txt: the v1 line,
/// and v2's signature, 0x21 (version 2, PROXY), family byte, big-endian length and address block.
/// </summary>
public sealed class ProxyHeaderTests
{
    private const string Signature = "0D0A0D0A000D0A515549540A";

    /// <summary>"unix:PATH", "ip:port" / "[ip]:port", or "none" for an address that could not be asked.</summary>
    private static EndPoint? Parse(string text) =>
        text == "none" ? null : text.StartsWith("unix:", StringComparison.Ordinal) ? new UnixDomainSocketEndPoint(text[5..]) : IPEndPoint.Parse(text);

    [Theory]
    [InlineData("192.0.2.10:51234", "198.51.100.7:6080", "PROXY TCP4 192.0.2.10 198.51.100.7 51234 6080\r\n")]
    [InlineData("[2001:db8::1]:51234", "[2001:db8::ff]:443", "PROXY TCP6 2001:db8::1 2001:db8::ff 51234 443\r\n")]
    [InlineData("[::ffff:192.0.2.10]:51234", "[::ffff:127.0.0.1]:6080", "PROXY TCP4 192.0.2.10 127.0.0.1 51234 6080\r\n")]
    [InlineData("[fe80::1%2]:1", "[fe80::2%2]:65535", "PROXY TCP6 fe80::1 fe80::2 1 65535\r\n")]
    [InlineData("unix:/tmp/client.sock", "unix:/run/ws.sock", "PROXY UNKNOWN\r\n")]
    [InlineData("192.0.2.10:51234", "none", "PROXY UNKNOWN\r\n")]
    public void Version_one_is_the_specs_text_line(string client, string local, string expected) =>
        Assert.Equal(expected, Encoding.ASCII.GetString(ProxyHeader.Build(ProxyProtocolVersion.V1, Parse(client), Parse(local))));

    [Theory]
    [InlineData("192.0.2.10:51234", "198.51.100.7:6080", "2111000C" + "C000020A" + "C6336407" + "C822" + "17C0")]
    [InlineData("[2001:db8::1]:51234", "[2001:db8::ff]:443",
        "21210024" + "20010DB8000000000000000000000001" + "20010DB80000000000000000000000FF" + "C822" + "01BB")]
    [InlineData("[::ffff:192.0.2.10]:51234", "[::ffff:127.0.0.1]:6080", "2111000C" + "C000020A" + "7F000001" + "C822" + "17C0")]
    [InlineData("192.0.2.10:51234", "none", "21000000")]
    public void Version_two_is_the_specs_binary_header(string client, string local, string expectedAfterSignature) =>
        Assert.Equal(Signature + expectedAfterSignature, Convert.ToHexString(ProxyHeader.Build(ProxyProtocolVersion.V2, Parse(client), Parse(local))));

    [Fact]
    public void Version_two_for_unix_sockets_carries_both_paths_in_108_byte_fields()
    {
        var header = ProxyHeader.Build(ProxyProtocolVersion.V2, new UnixDomainSocketEndPoint("/tmp/client.sock"), new UnixDomainSocketEndPoint("/run/ws.sock"));
        Assert.Equal(Signature + "213100D8", Convert.ToHexString(header[..16])); // AF_UNIX + STREAM, 216 bytes
        Assert.Equal(16 + 216, header.Length);
        Assert.Equal(Field("/tmp/client.sock"), header[16..124]);
        Assert.Equal(Field("/run/ws.sock"), header[124..]);
    }

    [Fact]
    public async Task An_unbound_unix_client_has_an_all_zero_source_path()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-pp-");
        try
        {
            var path = Path.Combine(directory.FullName, "ws.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await client.ConnectAsync(new UnixDomainSocketEndPoint(path));
            using var accepted = await listener.AcceptAsync();

            var header = ProxyHeader.Build(ProxyProtocolVersion.V2, accepted.RemoteEndPoint, accepted.LocalEndPoint);
            Assert.Equal(Signature + "213100D8", Convert.ToHexString(header[..16]));
            Assert.Equal(new byte[108], header[16..124]);
            Assert.Equal(Field(path), header[124..]);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static byte[] Field(string path)
    {
        var field = new byte[108];
        Encoding.UTF8.GetBytes(path).CopyTo(field, 0);
        return field;
    }
}
