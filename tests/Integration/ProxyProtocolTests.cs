using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--target-proxy-protocol</c> through the real binary: a target parses the header field by field and
/// echoes; clients bind source addresses other than 127.0.0.1 so that the address really travels.
/// </summary>
public sealed class ProxyProtocolTests
{
    /// <summary>Every byte value, four times: the echo after the header must come back exactly.</summary>
    private static readonly byte[] Payload = [.. Enumerable.Range(0, 1024).Select(i => (byte)i)];

    private static async Task AssertExactEchoAsync(RawWebSocketClient client)
    {
        Assert.Equal(101, client.StatusCode);
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, Payload));
        var echoed = new MemoryStream();
        while (echoed.Length < Payload.Length)
        {
            var frame = await client.ReadFrameAsync();
            Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data, got {frame?.Opcode} {frame?.CloseCode}");
            echoed.Write(frame!.Payload);
        }

        Assert.Equal(Payload, echoed.ToArray());
    }

    private static async Task<RawWebSocketClient> ConnectFromAsync(IPEndPoint daemon, IPAddress source) =>
        await RawWebSocketClient.ConnectAsync(daemon, RawWebSocketClient.UpgradeRequest(daemon.Port), local: new IPEndPoint(source, 0));

    [Theory]
    [InlineData("v1", "127.0.0.2")]
    [InlineData("v2", "127.0.0.2")]
    [InlineData("v1", "127.45.67.89")]
    [InlineData("v2", "127.254.3.1")]
    public async Task Ipv4_client_address_and_ours_reach_the_target(string version, string source)
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(["--target-proxy-protocol", version, "127.0.0.1:0", target.Address]);
        await using var client = await ConnectFromAsync(new IPEndPoint(IPAddress.Loopback, daemon.Port), IPAddress.Parse(source));

        var header = await target.HeaderAsync();
        var ours = (IPEndPoint)client.LocalEndPoint!;
        Assert.Equal(version == "v1" ? 1 : 2, header.Version);
        Assert.Equal("TCP4", header.Family);
        Assert.Equal(IPAddress.Parse(source), header.Source);
        Assert.Equal(ours.Port, header.SourcePort);
        Assert.Equal(IPAddress.Loopback, header.Destination);
        Assert.Equal(daemon.Port, header.DestinationPort);
        await AssertExactEchoAsync(client);
    }

    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Ipv6_client_goes_as_tcp6_with_its_port(string version)
    {
        await using var target = new ProxyHeaderTarget();
        await using var daemon = await DaemonProcess.StartAsync(["--target-proxy-protocol", version, "[::1]:0", target.Address]);
        await using var client = await ConnectFromAsync(new IPEndPoint(IPAddress.IPv6Loopback, daemon.Port), IPAddress.IPv6Loopback);

        var header = await target.HeaderAsync();
        Assert.Equal("TCP6", header.Family);
        Assert.Equal(IPAddress.IPv6Loopback, header.Source);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, header.SourcePort);
        Assert.Equal(IPAddress.IPv6Loopback, header.Destination);
        Assert.Equal(daemon.Port, header.DestinationPort);
        await AssertExactEchoAsync(client);
    }

    /// <summary>
    /// A dual-stack listener sees IPv4 clients as ::ffff:a.b.c.d; they must still go as TCP4. The daemon
    /// itself binds IPv6 sockets v6-only, so the service manager passes it one bound to ::ffff:127.0.0.1
    /// (loopback only, yet taking IPv4 connections).
    /// </summary>
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Ipv4_mapped_client_on_a_dual_stack_socket_goes_as_tcp4(string version)
    {
        await using var target = new ProxyHeaderTarget();
        var port = TcpTarget.UnusedPort();
        await using var daemon = DaemonProcess.StartCommand("systemd-socket-activate",
            ["-l", $"[::ffff:127.0.0.1]:{port}", RepositoryPaths.Binary, "--target-proxy-protocol", version, target.Address]);
        await daemon.WaitForLineAsync(l => l.StartsWith($"Listening on [::ffff:127.0.0.1]:{port} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        await using var client = await ConnectFromAsync(new IPEndPoint(IPAddress.Loopback, port), IPAddress.Parse("127.0.0.3"));

        var header = await target.HeaderAsync();
        Assert.Equal("TCP4", header.Family);
        Assert.Equal(IPAddress.Parse("127.0.0.3"), header.Source);
        Assert.Equal(((IPEndPoint)client.LocalEndPoint!).Port, header.SourcePort);
        Assert.Equal(IPAddress.Loopback, header.Destination);
        Assert.Equal(port, header.DestinationPort);
        await AssertExactEchoAsync(client);
    }

    /// <summary>A Unix-socket client (a passed Unix listener): v1 says UNKNOWN, v2 sends AF_UNIX with the unbound client's empty path and the listener's.</summary>
    [Theory]
    [InlineData("v1")]
    [InlineData("v2")]
    public async Task Unix_client_goes_as_unknown_or_af_unix(string version)
    {
        await using var target = new ProxyHeaderTarget();
        var directory = Directory.CreateTempSubdirectory("websockify-pp-");
        var path = Path.Combine(directory.FullName, "ws.sock");
        try
        {
            await using var daemon = DaemonProcess.StartCommand("systemd-socket-activate",
                ["-l", path, RepositoryPaths.Binary, "--target-proxy-protocol", version, target.Address]);
            await daemon.WaitForLineAsync(l => l.StartsWith($"Listening on {path} as ", StringComparison.Ordinal), TimeSpan.FromSeconds(10));
            var request = RawWebSocketClient.UpgradeRequest(0).Replace("Host: 127.0.0.1:0", "Host: localhost", StringComparison.Ordinal);
            await using var client = await RawWebSocketClient.ConnectAsync(new UnixDomainSocketEndPoint(path), request);

            var header = await target.HeaderAsync();
            if (version == "v1")
            {
                Assert.Equal(new ReceivedProxyHeader(1, "UNKNOWN", null, null, 0, 0), header);
            }
            else
            {
                Assert.Equal("UNIX", header.Family);
                Assert.Equal(new byte[108], header.UnixSource);
                var expected = new byte[108];
                Encoding.UTF8.GetBytes(path).CopyTo(expected, 0);
                Assert.Equal(expected, header.UnixDestination);
            }

            await AssertExactEchoAsync(client);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The wrapped program is the target: it gets the header first (the test program greets, then echoes what it read).</summary>
    [Fact]
    public async Task Wrapped_program_reads_the_header_first()
    {
        var server = await TestPrograms.BindServerAsync();
        var port = TcpTarget.UnusedPort();
        await using var daemon = await DaemonProcess.StartAsync(["--target-proxy-protocol=v1", $"127.0.0.1:{port}", "--", server, port.ToString(), "4"]);
        await using var client = await ConnectFromAsync(new IPEndPoint(IPAddress.Loopback, port), IPAddress.Parse("127.0.0.9"));
        Assert.Equal(101, client.StatusCode);

        var expected = $"PROXY TCP4 127.0.0.9 127.0.0.1 {((IPEndPoint)client.LocalEndPoint!).Port} {port}\r\n";
        var received = new StringBuilder();
        while (!received.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(15));
            Assert.True(frame is { Opcode: RawFrame.Binary }, $"expected data, got {frame?.Opcode} {frame?.CloseCode} {frame?.CloseReason}");
            received.Append(Encoding.ASCII.GetString(frame!.Payload));
        }

        var text = received.ToString();
        Assert.StartsWith("hello ", text);
        Assert.EndsWith("\n" + expected, text);
    }

    [Theory]
    [InlineData("v3")]
    [InlineData("V1")]
    [InlineData("")]
    public async Task Anything_but_v1_or_v2_is_a_usage_error(string value)
    {
        var (exitCode, _, stderr) = await DaemonProcess.RunAsync($"--target-proxy-protocol={value}", "127.0.0.1:0", "127.0.0.1:5900");
        Assert.Equal(2, exitCode);
        Assert.Contains($"option --target-proxy-protocol: invalid choice: '{value}' (choose from 'v1', 'v2')", stderr);
    }
}
