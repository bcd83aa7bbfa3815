using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--proxy-protocol</c>, <c>--trusted-proxy</c> and X-Forwarded-For through the real binary. The
/// "balancer" is a raw client on 127.0.0.1 writing the header by hand; other clients bind other
/// loopback addresses, so that which address the daemon believes is visible in its log and in the
/// PROXY header it sends on to the target.
/// </summary>
public sealed class ClientAddressTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly IPAddress Balancer = IPAddress.Loopback;
    private static readonly IPAddress Stranger = IPAddress.Parse("127.0.0.2");

    private static byte[] V1(string source, int sourcePort, string destination, int destinationPort) =>
        Encoding.ASCII.GetBytes($"PROXY TCP4 {source} {destination} {sourcePort} {destinationPort}\r\n");

    private static byte[] V2(string source, int sourcePort, string destination, int destinationPort)
    {
        var header = new byte[16 + 12];
        new byte[] { 0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A }.CopyTo(header, 0);
        header[12] = 0x21; // version 2, PROXY
        header[13] = 0x11; // TCP over IPv4
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), 12);
        IPAddress.Parse(source).GetAddressBytes().CopyTo(header, 16);
        IPAddress.Parse(destination).GetAddressBytes().CopyTo(header, 20);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(24), (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(26), (ushort)destinationPort);
        return header;
    }

    private static Task<RawWebSocketClient> ConnectAsync(int port, IPAddress from, byte[]? preface = null, string? request = null, bool tls = false) =>
        RawWebSocketClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), request ?? RawWebSocketClient.UpgradeRequest(port), tls, local: new IPEndPoint(from, 0), preface: preface);

    private static string WithHeader(string request, string header) => request.Replace("\r\n\r\n", $"\r\n{header}\r\n\r\n", StringComparison.Ordinal);

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task The_client_a_trusted_balancer_names_is_the_one_logged_and_sent_to_the_target(string version)
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--proxy-protocol", "--trusted-proxy", "127.0.0.1/32", "--target-proxy-protocol", "v2", "127.0.0.1:0", target.Address]);
        var header = version == "v1" ? V1("203.0.113.7", 4711, "198.51.100.1", 443) : V2("203.0.113.7", 4711, "198.51.100.1", 443);
        await using var client = await ConnectAsync(daemon.Port, Balancer, header); // header and request in one segment

        Assert.Equal(101, client.StatusCode);
        var sent = await target.HeaderAsync();
        Assert.Equal((IPAddress.Parse("203.0.113.7"), 4711), (sent.Source, sent.SourcePort));
        Assert.Equal((IPAddress.Parse("198.51.100.1"), 443), (sent.Destination, sent.DestinationPort));
        await client.AssertEchoAsync("through the balancer");
        await daemon.WaitForLineAsync(l => l.Contains("203.0.113.7:4711 #1: via balancer 127.0.0.1:", StringComparison.Ordinal), Bound);
        await daemon.WaitForLineAsync(l => l.Contains("203.0.113.7:4711 #1: connecting to:", StringComparison.Ordinal), Bound);
    }

    [Fact]
    public async Task Tls_after_the_header_works_and_the_sniffer_sees_the_hello_behind_it()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["-v", "--proxy-protocol", "--trusted-proxy", "127.0.0.1", "--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);
        await using var client = await ConnectAsync(daemon.Port, Balancer, V2("192.0.2.44", 1234, "127.0.0.1", daemon.Port), tls: true);
        Assert.Equal(101, client.StatusCode);
        await client.AssertEchoAsync("wss behind a balancer");
        await daemon.WaitForLineAsync(l => l.Contains("192.0.2.44:1234 #1", StringComparison.Ordinal) && l.Contains("wss://", StringComparison.Ordinal), Bound);
    }

    [Fact]
    public async Task A_stranger_sending_a_header_is_refused_and_without_one_is_served_as_itself()
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--proxy-protocol", "--trusted-proxy", "127.0.0.1", "--target-proxy-protocol", "v1", "127.0.0.1:0", target.Address]);

        Assert.True(await Unanswered.ClosedAsync(daemon.Port, Stranger, V1("203.0.113.7", 1, "127.0.0.1", 2)), "a forged v1 header was served");
        await daemon.WaitForLineAsync(l => l.Contains("127.0.0.2:", StringComparison.Ordinal) && l.Contains("sent a PROXY header but is not in --trusted-proxy", StringComparison.Ordinal), Bound);
        Assert.True(await Unanswered.ClosedAsync(daemon.Port, Stranger, V2("203.0.113.7", 1, "127.0.0.1", 2)), "a forged v2 header was served");

        await using var direct = await ConnectAsync(daemon.Port, Stranger);
        Assert.Equal(101, direct.StatusCode);
        Assert.Equal(Stranger, (await target.HeaderAsync()).Source);
        await direct.AssertEchoAsync("a direct client");
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "not a PROXY protocol header")]
    [InlineData("PROXY TCP4 1.2.3.4\r\n", "five fields")]
    [InlineData("PROXY TCP4 203.0.113.7 127.0.0.1 1 99999\r\n", "port")]
    public async Task A_trusted_balancer_without_a_valid_header_is_refused(string firstBytes, string reason)
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--proxy-protocol", "--trusted-proxy", "127.0.0.1", "127.0.0.1:0", target.Address]);
        Assert.True(await Unanswered.ClosedAsync(daemon.Port, Balancer, Encoding.ASCII.GetBytes(firstBytes)));
        await daemon.WaitForLineAsync(l => l.Contains("127.0.0.1:", StringComparison.Ordinal) && l.Contains("refused:", StringComparison.Ordinal)
            && l.Contains(reason, StringComparison.Ordinal), Bound);

        await using var client = await ConnectAsync(daemon.Port, Balancer, V1("203.0.113.8", 5, "127.0.0.1", daemon.Port));
        await client.AssertEchoAsync("the next one is fine");
    }

    [Fact]
    public async Task The_per_address_limit_counts_the_real_client_not_the_balancer()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--proxy-protocol", "--trusted-proxy", "127.0.0.1", "--max-connections-per-ip", "1", "127.0.0.1:0", target.Address]);
        await using var first = await ConnectAsync(daemon.Port, Balancer, V1("203.0.113.1", 1000, "127.0.0.1", daemon.Port));
        await using var second = await ConnectAsync(daemon.Port, Balancer, V1("203.0.113.2", 1000, "127.0.0.1", daemon.Port));
        await first.AssertEchoAsync("one");
        await second.AssertEchoAsync("two"); // the balancer itself has two open: not its limit

        Assert.True(await Unanswered.ClosedAsync(daemon.Port, Balancer, [.. V1("203.0.113.1", 1001, "127.0.0.1", daemon.Port), .. Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(daemon.Port))]));
        await daemon.WaitForLineAsync(l => l.Contains("the last from 203.0.113.1:1001", StringComparison.Ordinal), Bound);
        await first.AssertEchoAsync("the first goes on");
    }

    [Fact]
    public async Task X_forwarded_for_from_a_trusted_proxy_names_the_client_and_from_anyone_else_is_ignored()
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(["--trusted-proxy", "127.0.0.1", "--target-proxy-protocol", "v1", "127.0.0.1:0", target.Address]);
        var request = WithHeader(RawWebSocketClient.UpgradeRequest(daemon.Port), "X-Forwarded-For: 10.9.9.9, 198.51.100.23, 127.0.0.1");
        await using var proxied = await ConnectAsync(daemon.Port, Balancer, request: request);
        Assert.Equal(101, proxied.StatusCode);
        Assert.Equal(IPAddress.Parse("198.51.100.23"), (await target.HeaderAsync()).Source);
        await daemon.WaitForLineAsync(l => l.Contains("198.51.100.23 #1: via 127.0.0.1:", StringComparison.Ordinal) && l.Contains("X-Forwarded-For", StringComparison.Ordinal), Bound);
        await proxied.AssertEchoAsync("forwarded");
    }

    [Fact]
    public async Task X_forwarded_for_from_an_untrusted_client_changes_nothing()
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(["--trusted-proxy", "127.0.0.1", "--target-proxy-protocol", "v1", "127.0.0.1:0", target.Address]);
        var request = WithHeader(RawWebSocketClient.UpgradeRequest(daemon.Port), "X-Forwarded-For: 198.51.100.23");
        await using var forged = await ConnectAsync(daemon.Port, Stranger, request: request);
        Assert.Equal(101, forged.StatusCode);
        Assert.Equal(Stranger, (await target.HeaderAsync()).Source);
        await forged.AssertEchoAsync("not forwarded");
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("198.51.100.23", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Proxy_protocol_without_trusted_proxies_is_a_usage_error()
    {
        var result = await DaemonProcess.RunAsync(Bound, "--proxy-protocol", "127.0.0.1:0", "127.0.0.1:1");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("You must use --trusted-proxy to use --proxy-protocol", result.Stderr, StringComparison.Ordinal);
    }
}
