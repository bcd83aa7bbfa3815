using System.Net;
using System.Net.Sockets;
using Websockify.Hosting;
using Websockify.Listening;
using Websockify.Tls;

namespace Websockify.Tests.Unit.Listening;

/// <summary>Binding the listen address for real, the banner's description of it, and the first-byte sniff.</summary>
public sealed class ListeningTests
{
    [Fact]
    public void No_host_listens_dual_stack_on_every_interface()
    {
        using var socket = ListenSocketFactory.Bind(new ListenSettings(null, 0));
        var endpoint = Assert.IsType<IPEndPoint>(socket.LocalEndPoint);
        Assert.Equal(IPAddress.IPv6Any, endpoint.Address);
        Assert.True(socket.DualMode);
        Assert.NotEqual(0, endpoint.Port);

        // An IPv4 client reaches the dual-stack socket.
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(new IPEndPoint(IPAddress.Loopback, endpoint.Port));
        using var accepted = socket.Accept();
        Assert.Equal("127.0.0.1", ((IPEndPoint)accepted.RemoteEndPoint!).Address.MapToIPv4().ToString());
    }

    [Fact]
    public void A_unix_listener_is_added_to_the_tcp_one_with_a_line_of_its_own_and_alone_has_no_port()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-set-").FullName;
        try
        {
            var path = Path.Combine(directory, "ws.sock");
            using (var both = ListenerSet.Open(new ListenSettings("127.0.0.1", 0), [], inetd: false, new UnixListenSettings(path, UnixListenSettings.DefaultMode)))
            {
                var port = ((IPEndPoint)both.Listeners[0].LocalEndPoint!).Port;
                Assert.Equal([$"Listen on 127.0.0.1:{port}", $"Listen on unix socket {path}"], both.Descriptions);
                Assert.Equal($"127.0.0.1:{port}, unix:{path}", both.Source);
                Assert.Equal(port, both.Port(null));
                both.Listeners[0].Dispose();
            }

            Assert.False(File.Exists(path));
            using var alone = ListenerSet.Open(null, [], inetd: false, new UnixListenSettings(path, UnixListenSettings.DefaultMode));
            Assert.Equal(5901, alone.Port(new ListenSettings(null, 5901)));
            Assert.Equal($"unix:{path}", alone.Source);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", false, "127.0.0.1")]
    [InlineData("::1", false, "::1")]
    [InlineData("localhost", false, "127.0.0.1")]
    public void A_host_binds_its_address_ipv4_first_unless_told(string host, bool preferIpv6, string expected)
    {
        using var socket = ListenSocketFactory.Bind(new ListenSettings(host, 0, preferIpv6));
        Assert.Equal(IPAddress.Parse(expected), ((IPEndPoint)socket.LocalEndPoint!).Address);
    }

    [Fact]
    public void A_port_in_use_is_a_start_up_error_naming_the_address()
    {
        using var first = ListenSocketFactory.Bind(new ListenSettings("127.0.0.1", 0));
        var port = ((IPEndPoint)first.LocalEndPoint!).Port;
        var error = Assert.Throws<ListenException>(() => ListenSocketFactory.Bind(new ListenSettings("127.0.0.1", port)));
        Assert.StartsWith($"cannot listen on 127.0.0.1:{port}: ", error.Message);
    }

    [Fact]
    public void An_unresolvable_host_is_a_start_up_error()
    {
        var error = Assert.Throws<ListenException>(() => ListenSocketFactory.Bind(new ListenSettings("no-such-host.invalid", 0)));
        Assert.StartsWith("cannot resolve listen host 'no-such-host.invalid'", error.Message);
    }

    [Fact]
    public void The_listener_set_describes_what_it_bound_and_the_port_a_wrapped_program_takes()
    {
        var set = ListenerSet.Open(new ListenSettings("127.0.0.1", 0), [], inetd: false);
        using var socket = Assert.Single(set.Listeners);
        var port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        Assert.Equal($"127.0.0.1:{port}", set.Source);
        Assert.Equal([$"Listen on 127.0.0.1:{port}"], set.Descriptions);
        Assert.Null(set.Connection);
        Assert.Equal(port, set.Port(new ListenSettings("127.0.0.1", 0)));
    }

    [Theory]
    [InlineData(new byte[] { 0x16, 0x03, 0x01 }, "Tls")]
    [InlineData(new byte[] { 0x80, 0x2e }, "Tls")]
    [InlineData(new byte[] { (byte)'G', (byte)'E', (byte)'T' }, "Plain")]
    [InlineData(new byte[0], "Closed")]
    public async Task The_first_byte_tells_tls_from_plain_without_consuming_it(byte[] first, string expectedKind)
    {
        var expected = Enum.Parse<ConnectionKind>(expectedKind);
        using var pair = await LoopbackPair.CreateAsync();
        if (first.Length > 0)
        {
            await pair.Far.SendAsync(first);
        }
        else
        {
            pair.Far.Shutdown(SocketShutdown.Send);
        }

        Assert.Equal(expected, await FirstByteSniffer.SniffAsync(pair.Near, CancellationToken.None));
        if (first.Length > 0)
        {
            var buffer = new byte[first.Length];
            Assert.Equal(first.Length, await pair.Near.ReceiveAsync(buffer)); // still there for the TLS or HTTP reader
            Assert.Equal(first, buffer);
        }
    }
}
