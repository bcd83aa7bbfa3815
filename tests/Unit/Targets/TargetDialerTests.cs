using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Websockify.Targets;

namespace Websockify.Tests.Unit.Targets;

/// <summary>Dialing real loopback targets: what connects, and every failure as a value with its reason.</summary>
public sealed class TargetDialerTests
{
    private readonly TargetDialer _dialer = new(TimeSpan.FromSeconds(10), TimeProvider.System);

    [Fact]
    public async Task A_listening_tcp_target_connects_and_carries_bytes_both_ways()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        var result = await _dialer.DialAsync(TargetEndpoint.Tcp("127.0.0.1", port), CancellationToken.None);
        using var connection = Assert.IsAssignableFrom<ITargetConnection>(result.Connection);
        using var far = await listener.AcceptAsync();
        await AssertCarriesBytesAsync(connection, far);
    }

    [Fact]
    public async Task A_unix_socket_target_connects()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-dial-");
        try
        {
            var path = Path.Combine(directory.FullName, "target.sock");
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);

            var result = await _dialer.DialAsync(TargetEndpoint.Unix(path), CancellationToken.None);
            using var connection = Assert.IsAssignableFrom<ITargetConnection>(result.Connection);
            using var far = await listener.AcceptAsync();
            await AssertCarriesBytesAsync(connection, far);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_preface_arrives_first_then_the_relayed_bytes()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var port = ((IPEndPoint)listener.LocalEndPoint!).Port;

        var result = await _dialer.DialAsync(TargetEndpoint.Tcp("127.0.0.1", port), CancellationToken.None, "PROXY UNKNOWN\r\n"u8.ToArray());
        using var connection = Assert.IsAssignableFrom<ITargetConnection>(result.Connection);
        using var far = await listener.AcceptAsync();
        var buffer = new byte[15];
        var filled = 0;
        while (filled < buffer.Length)
        {
            filled += await far.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None);
        }

        Assert.Equal("PROXY UNKNOWN\r\n"u8.ToArray(), buffer);
        await AssertCarriesBytesAsync(connection, far);
    }

    [Fact]
    public async Task A_refused_connection_is_a_failure_with_the_kernels_reason()
    {
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port; // bound, never listening, then closed: nothing listens there
        }

        var result = await _dialer.DialAsync(TargetEndpoint.Tcp("127.0.0.1", port), CancellationToken.None);
        Assert.Null(result.Connection);
        Assert.Contains("refused", result.Failure, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_missing_unix_socket_and_an_unknown_host_are_failures()
    {
        var missing = await _dialer.DialAsync(TargetEndpoint.Unix("/nonexistent/websockify-test.sock"), CancellationToken.None);
        Assert.Null(missing.Connection);
        Assert.False(string.IsNullOrEmpty(missing.Failure));

        var unknown = await _dialer.DialAsync(TargetEndpoint.Tcp("no-such-host.invalid", 5900), CancellationToken.None);
        Assert.Null(unknown.Connection);
        Assert.False(string.IsNullOrEmpty(unknown.Failure));
    }

    [Fact]
    public async Task A_daemon_that_stops_while_dialing_gets_a_failure_not_an_exception()
    {
        using var stopping = new CancellationTokenSource();
        await stopping.CancelAsync();
        var result = await _dialer.DialAsync(TargetEndpoint.Tcp("127.0.0.1", 9), stopping.Token);
        Assert.Equal("the daemon is stopping", result.Failure);
    }

    [Fact]
    public async Task The_connect_deadline_is_on_the_daemons_clock()
    {
        // A listener with a full backlog never completes new connects; the fake clock fires the deadline.
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(0);
        var time = new FakeTimeProvider();
        var dialer = new TargetDialer(TimeSpan.FromSeconds(10), time);
        var endpoint = TargetEndpoint.Tcp("127.0.0.1", ((IPEndPoint)listener.LocalEndPoint!).Port);
        var fillers = new List<ITargetConnection>();
        try
        {
            Task<DialResult> pending;
            while (true)
            {
                pending = dialer.DialAsync(endpoint, CancellationToken.None).AsTask();
                await Task.WhenAny(pending, Task.Delay(TimeSpan.FromMilliseconds(500)));
                if (!pending.IsCompleted)
                {
                    break; // this one hangs in SYN-SENT: the backlog is full
                }

                fillers.Add((await pending).Connection!);
                Assert.True(fillers.Count < 64, "the backlog never filled");
            }

            time.Advance(TimeSpan.FromSeconds(10));
            var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Null(result.Connection);
            Assert.Equal("connection timed out after 10 s", result.Failure);
        }
        finally
        {
            fillers.ForEach(f => f.Dispose());
        }
    }

    [Fact]
    public void Endpoints_are_written_the_one_way()
    {
        Assert.Equal("127.0.0.1:5900", TargetEndpoint.Tcp("127.0.0.1", 5900).ToString());
        Assert.Equal("[::1]:5900", TargetEndpoint.Tcp("::1", 5900).ToString());
        Assert.Equal("vnc.example:5901 (using SSL)", TargetEndpoint.Tcp("vnc.example", 5901, tls: true).ToString());
        Assert.Equal("unix:/run/vnc.sock", TargetEndpoint.Unix("/run/vnc.sock").ToString());
    }

    private static async Task AssertCarriesBytesAsync(ITargetConnection connection, Socket far)
    {
        await connection.SendAsync("ping"u8.ToArray());
        var buffer = new byte[16];
        Assert.Equal(4, await far.ReceiveAsync(buffer, SocketFlags.None));
        await far.SendAsync("pong!"u8.ToArray(), SocketFlags.None);
        await connection.ReceiveAsync(Memory<byte>.Empty); // the zero-byte wait returns once data is there
        Assert.Equal(5, await connection.ReceiveAsync(buffer));
        Assert.Equal("pong!"u8.ToArray(), buffer[..5]);
        connection.ShutdownSend();
        Assert.Equal(0, await far.ReceiveAsync(buffer, SocketFlags.None));
    }
}
