using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Net;
using Websockify.Targets;

namespace Websockify.Tests.Unit.Net;

/// <summary>The listen-side PROXY v1/v2 parser: every field, truncation, the bounds, and our own writer's output read back.</summary>
public sealed class ProxyHeaderParserTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ProxyHeaderParse Parse(string text) => ProxyHeaderParser.Parse(Encoding.ASCII.GetBytes(text));

    private static byte[] Binary(byte versionAndCommand, byte family, byte[] block)
    {
        var header = new byte[16 + block.Length];
        Signature.CopyTo(header, 0);
        header[12] = versionAndCommand;
        header[13] = family;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)block.Length);
        block.CopyTo(header, 16);
        return header;
    }

    private static byte[] Tcp4Block(params byte[] tlvs) =>
        [192, 0, 2, 7, 10, 0, 0, 1, 0xD4, 0x31, 0x17, 0x70, .. tlvs]; // 192.0.2.7:54321 -> 10.0.0.1:6000

    [Fact]
    public void V1_tcp4_gives_both_addresses_and_the_header_length()
    {
        const string header = "PROXY TCP4 192.0.2.7 10.0.0.1 54321 6000\r\n";
        AssertTheExampleTcp4(Parse(header + "GET / HTTP/1.1\r\n"), header.Length);
    }

    [Fact]
    public void V1_tcp6_gives_both_addresses()
    {
        var parse = Parse("PROXY TCP6 2001:db8::7 ::1 65535 0\r\n");
        Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535), parse.Source);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 0), parse.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void V1_unknown_is_parsed_without_addresses(string header)
    {
        var parse = Parse(header);
        Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
        Assert.Equal(header.Length, parse.Length);
        Assert.Null(parse.Source);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 54321\r\n", "five fields")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 54321 6000 7\r\n", "five fields")]
    [InlineData("PROXY TCP4  192.0.2.7 10.0.0.1 54321 6000\r\n", "five fields")]
    [InlineData("PROXY UDP4 192.0.2.7 10.0.0.1 54321 6000\r\n", "protocol")]
    [InlineData("PROXY tcp4 192.0.2.7 10.0.0.1 54321 6000\r\n", "protocol")]
    [InlineData("PROXY TCP4 192.0.2 10.0.0.1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP4 192.0.2.256 10.0.0.1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP4 192.0.2.07 10.0.0.1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP4 0x7f.0.0.1 10.0.0.1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP4 ::1 10.0.0.1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP6 192.0.2.7 ::1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP6 [::1] ::1 54321 6000\r\n", "address")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 65536 6000\r\n", "port")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 054321 6000\r\n", "port")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 +1 6000\r\n", "port")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 1 -1\r\n", "port")]
    [InlineData("PROXY TCP4 192.0.2.7 10.0.0.1 54321 6000\n", "CR LF")]
    [InlineData("PROXY UNKNOWN a\nb\r\n", "CR LF")]
    [InlineData("GET / HTTP/1.1\r\n", "not a PROXY")]
    [InlineData("proxy TCP4 192.0.2.7 10.0.0.1 1 2\r\n", "not a PROXY")]
    public void V1_refuses_every_malformed_field(string header, string reason)
    {
        var parse = Parse(header);
        Assert.Equal(ProxyHeaderStatus.Invalid, parse.Status);
        Assert.Contains(reason, parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void V1_asks_for_more_at_every_prefix_and_refuses_a_line_past_107_bytes()
    {
        var header = "PROXY TCP6 2001:db8:1:2:3:4:5:6 2001:db8:6:5:4:3:2:1 54321 6000\r\n";
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.NeedMore, Parse(header[..length]).Status);
        }

        Assert.Equal(ProxyHeaderStatus.NeedMore, Parse("PROXY UNKNOWN " + new string('x', 92)).Status); // 106 bytes
        var tooLong = Parse("PROXY UNKNOWN " + new string('x', 93) + "\r\n");
        Assert.Equal(ProxyHeaderStatus.Invalid, tooLong.Status);
        Assert.Contains("longer than 107", tooLong.Error, StringComparison.Ordinal);
        var longest = "PROXY UNKNOWN " + new string('x', 91) + "\r\n";
        Assert.Equal(107, longest.Length);
        Assert.Equal(ProxyHeaderStatus.Parsed, Parse(longest).Status);
    }

    [Fact]
    public void V2_tcp4_gives_both_addresses_and_skips_tlvs()
    {
        var header = Binary(0x21, 0x11, Tcp4Block(0x01, 0x00, 0x02, (byte)'h', (byte)'2', 0x04, 0x00, 0x00));
        AssertTheExampleTcp4(ProxyHeaderParser.Parse([.. header, .. "GET"u8]), header.Length);
    }

    [Fact]
    public void V2_local_and_unspec_are_parsed_without_addresses()
    {
        var local = Binary(0x20, 0x11, Tcp4Block()); // a health check: the block is ignored
        Assert.Equal((ProxyHeaderStatus.Parsed, local.Length, (EndPoint?)null), Result(ProxyHeaderParser.Parse(local)));
        var unspec = Binary(0x21, 0x00, []);
        Assert.Equal((ProxyHeaderStatus.Parsed, 16, (EndPoint?)null), Result(ProxyHeaderParser.Parse(unspec)));

        static (ProxyHeaderStatus, int, EndPoint?) Result(ProxyHeaderParse p) => (p.Status, p.Length, p.Source);
    }

    [Theory]
    [InlineData(0x11, 0x11, "version")]
    [InlineData(0x31, 0x11, "version")]
    [InlineData(0x22, 0x11, "command")]
    [InlineData(0x2F, 0x11, "command")]
    [InlineData(0x21, 0x12, "datagram")]
    [InlineData(0x21, 0x22, "datagram")]
    [InlineData(0x21, 0x32, "datagram")]
    [InlineData(0x21, 0x13, "unknown address family")]
    [InlineData(0x21, 0x41, "unknown address family")]
    public void V2_refuses_unknown_versions_commands_and_families(byte versionAndCommand, byte family, string reason)
    {
        var parse = ProxyHeaderParser.Parse(Binary(versionAndCommand, family, Tcp4Block()));
        Assert.Equal(ProxyHeaderStatus.Invalid, parse.Status);
        Assert.Contains(reason, parse.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void V2_refuses_a_short_address_block_broken_tlvs_and_an_oversized_length()
    {
        Assert.Contains("shorter than its family", ProxyHeaderParser.Parse(Binary(0x21, 0x11, new byte[11])).Error, StringComparison.Ordinal);
        Assert.Contains("shorter than its family", ProxyHeaderParser.Parse(Binary(0x21, 0x21, new byte[35])).Error, StringComparison.Ordinal);
        Assert.Contains("TLVs", ProxyHeaderParser.Parse(Binary(0x21, 0x11, Tcp4Block(0x04, 0x00))).Error, StringComparison.Ordinal);
        Assert.Contains("TLVs", ProxyHeaderParser.Parse(Binary(0x21, 0x11, Tcp4Block(0x04, 0x00, 0x05, 1, 2))).Error, StringComparison.Ordinal);

        // Refused from its 16 fixed bytes, before the rest is waited for.
        var oversized = Binary(0x21, 0x11, Tcp4Block())[..16];
        BinaryPrimitives.WriteUInt16BigEndian(oversized.AsSpan(14), 4096 - 16 + 1);
        Assert.Contains("longer than 4096", ProxyHeaderParser.Parse(oversized).Error, StringComparison.Ordinal);
        var largest = Binary(0x21, 0x11, Tcp4Block([0x04, .. BigEndian(4096 - 16 - 12 - 3), .. new byte[4096 - 16 - 12 - 3]]));
        Assert.Equal(4096, largest.Length);
        Assert.Equal(ProxyHeaderStatus.Parsed, ProxyHeaderParser.Parse(largest).Status);
    }

    [Fact]
    public void V2_asks_for_more_at_every_prefix_and_a_wrong_signature_is_refused()
    {
        var header = Binary(0x21, 0x21, new byte[36]);
        for (var length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.NeedMore, ProxyHeaderParser.Parse(header.AsSpan(0, length)).Status);
        }

        var wrong = header.ToArray();
        wrong[6] = 0x00;
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(wrong.AsSpan(0, 7)).Status);
    }

    [Theory]
    [InlineData("192.0.2.7", 54321, "10.0.0.1", 6000)]
    [InlineData("2001:db8::7", 1, "2001:db8::1", 65535)]
    [InlineData("::ffff:127.0.0.2", 40000, "::ffff:127.0.0.1", 6080)] // a dual-stack listener's peers: written as TCP4
    public void What_our_target_side_writer_sends_reads_back_the_same_in_both_versions(string from, int fromPort, string to, int toPort)
    {
        var source = new IPEndPoint(IPAddress.Parse(from), fromPort);
        var destination = new IPEndPoint(IPAddress.Parse(to), toPort);
        foreach (var version in new[] { ProxyProtocolVersion.V1, ProxyProtocolVersion.V2 })
        {
            var header = ProxyHeader.Build(version, source, destination);
            var parse = ProxyHeaderParser.Parse(header);
            Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
            Assert.Equal(header.Length, parse.Length);
            Assert.Equal(Plain(source), parse.Source);
            Assert.Equal(Plain(destination), parse.Destination);
        }

        static IPEndPoint Plain(IPEndPoint e) => e.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(e.Address.MapToIPv4(), e.Port) : e;
    }

    [Fact]
    public void V2_unix_gives_the_socket_paths()
    {
        var header = ProxyHeader.Build(ProxyProtocolVersion.V2, new UnixDomainSocketEndPoint("/run/client.sock"), new UnixDomainSocketEndPoint("/run/ws.sock"));
        var parse = ProxyHeaderParser.Parse(header);
        Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
        Assert.Equal("/run/client.sock", parse.Source?.ToString());
        Assert.Equal("/run/ws.sock", parse.Destination?.ToString());
    }

    /// <summary>192.0.2.7:54321 -> 10.0.0.1:6000 in a header of <paramref name="length"/> bytes, the bytes after it left alone.</summary>
    private static void AssertTheExampleTcp4(ProxyHeaderParse parse, int length)
    {
        Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
        Assert.Equal(length, parse.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 54321), parse.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 6000), parse.Destination);
    }

    [Fact]
    public void V2_unix_names_that_are_not_utf8_or_fill_sun_path_give_no_address()
    {
        // Found by fuzzing: invalid UTF-8 decoded longer than sun_path, and the endpoint threw.
        var block = new byte[216];
        "/run/ws."u8.CopyTo(block);
        block.AsSpan(8, 32).Fill(0xB5);
        block.AsSpan(108).Fill((byte)'a'); // 108 bytes, no NUL
        var parse = ProxyHeaderParser.Parse(Binary(0x21, 0x31, block));
        Assert.Equal(ProxyHeaderStatus.Parsed, parse.Status);
        Assert.Null(parse.Source);
        Assert.Null(parse.Destination);
    }

    private static byte[] BigEndian(int value) => [(byte)(value >> 8), (byte)value];
}
