using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary><c>--unix-target</c> and <c>--unix-listen</c> through the real binary.</summary>
public sealed class UnixSocketTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("websockify-unix-sock-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string PathOf(string name) => Path.Combine(_directory, name);

    /// <summary>Starts the daemon and waits for the banner's last line (a Unix-only daemon has no port to wait for).</summary>
    private static async Task<DaemonProcess> StartAsync(params string[] args)
    {
        var daemon = DaemonProcess.StartCommand(RepositoryPaths.Binary, args);
        try
        {
            await daemon.WaitForLineAsync(l => l.Contains("  - proxying from ", StringComparison.Ordinal), Wait);
        }
        catch
        {
            await daemon.DisposeAsync();
            throw;
        }

        return daemon;
    }

    private static async Task<ClientWebSocket> ConnectAsync(int port)
    {
        var client = new ClientWebSocket();
        client.Options.AddSubProtocol("binary");
        using var timeout = new CancellationTokenSource(Wait);
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/"), timeout.Token);
        return client;
    }

    private static async Task<byte[]> ReceiveAllAsync(ClientWebSocket client)
    {
        var data = new MemoryStream();
        var buffer = new byte[65536];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return data.ToArray();
            }

            data.Write(buffer, 0, result.Count);
        }
    }

    private static Task<RawWebSocketClient> ConnectUnixAsync(string path, bool tls = false) =>
        RawWebSocketClient.ConnectAsync(new UnixDomainSocketEndPoint(path), RawWebSocketClient.UpgradeRequest(80, "binary"), tls);

    /// <summary>
    /// A socket file nobody listens on, what a killed daemon leaves behind: bound under another name and
    /// renamed, because .NET unlinks the name it bound when the socket is disposed.
    /// </summary>
    private static void LeaveStaleSocket(string path)
    {
        var bound = path + ".binding";
        using var old = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        old.Bind(new UnixDomainSocketEndPoint(bound));
        File.Move(bound, path);
    }

    private static async Task<string> ModeAsync(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%a", path]) { RedirectStandardOutput = true })!;
        var output = await stat.StandardOutput.ReadToEndAsync();
        await stat.WaitForExitAsync();
        return output.Trim();
    }

    [Fact]
    public async Task Unix_target_carries_300_KB_each_way_byte_exact()
    {
        var up = RandomNumberGenerator.GetBytes(300 * 1024);
        var down = RandomNumberGenerator.GetBytes(300 * 1024);
        var receivedByTarget = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var target = UnixTarget.Start(PathOf("target.sock"), async socket =>
        {
            var sending = socket.SendAsync(down);
            var received = new MemoryStream();
            var buffer = new byte[70000];
            while (received.Length < up.Length)
            {
                var read = await socket.ReceiveAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                received.Write(buffer, 0, read);
            }

            await sending;
            receivedByTarget.SetResult(received.ToArray());
            socket.Shutdown(SocketShutdown.Send);
            while (await socket.ReceiveAsync(buffer) > 0)
            {
            }
        });
        await using var daemon = await DaemonProcess.StartAsync(["--unix-target", target.Path, "127.0.0.1:0"]);
        Assert.Contains(daemon.Lines, l => l.EndsWith($"  - proxying from 127.0.0.1:{daemon.Port} to unix:{target.Path}", StringComparison.Ordinal));
        using var client = await ConnectAsync(daemon.Port);

        var receiving = ReceiveAllAsync(client);
        for (var offset = 0; offset < up.Length; offset += 50_000)
        {
            await client.SendAsync(up.AsMemory(offset, Math.Min(50_000, up.Length - offset)), WebSocketMessageType.Binary, true, default);
        }

        Assert.Equal(up, await receivedByTarget.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(down, await receiving);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
    }

    [Fact]
    public async Task A_missing_unix_target_closes_1011_and_the_same_daemon_works_once_it_exists()
    {
        var path = PathOf("later.sock");
        await using var daemon = await DaemonProcess.StartAsync(["--unix-target=" + path, "127.0.0.1:0"]);

        await using (var first = await RawWebSocketClient.ConnectAsync(daemon.Port, protocols: "binary"))
        {
            Assert.Equal(101, first.StatusCode);
            var (close, _) = await first.ReadUntilCloseAsync();
            Assert.Equal(1011, close?.CloseCode);
        }

        await daemon.WaitForLineAsync(l => l.Contains($"Failed to connect to unix:{path}", StringComparison.Ordinal), Wait);
        Assert.Contains(daemon.Lines, l => l.Contains($": connecting to unix socket: {path}", StringComparison.Ordinal));
        await using var target = UnixTarget.Echo(path);
        await using var second = await RawWebSocketClient.ConnectAsync(daemon.Port, protocols: "binary");
        await second.AssertEchoAsync("now it is there");
    }

    [Theory]
    [InlineData("0660", "660")]
    [InlineData("600", "600")]
    [InlineData("0", "0")]
    public async Task Unix_listener_has_its_mode_relays_and_its_file_goes_at_exit(string mode, string expected)
    {
        var path = PathOf("ws.sock");
        await using var target = TcpTarget.Echo();
        await using var daemon = await StartAsync(["--unix-listen", path, "--unix-listen-mode", mode, target.Address]);
        Assert.Equal(expected, await ModeAsync(path));
        Assert.Contains(daemon.Lines, l => l.EndsWith($"  - Listen on unix socket {path}", StringComparison.Ordinal));
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("  - Listen on ", StringComparison.Ordinal) && !l.Contains("unix socket", StringComparison.Ordinal));

        if (mode != "0")
        {
            await using var client = await ConnectUnixAsync(path);
            await client.AssertEchoAsync("through a unix listener");
            await daemon.WaitForLineAsync(l => l.Contains($"unix:{path} #", StringComparison.Ordinal), Wait);
        }

        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(0, await daemon.WaitForExitAsync(Wait));
        Assert.False(File.Exists(path));
    }

    [Fact]
    public async Task The_default_mode_is_0600()
    {
        var path = PathOf("default.sock");
        await using var daemon = await StartAsync(["--unix-listen=" + path, "127.0.0.1:1"]);
        Assert.Equal("600", await ModeAsync(path));
    }

    [Fact]
    public async Task A_stale_socket_file_is_replaced()
    {
        var path = PathOf("stale.sock");
        LeaveStaleSocket(path);
        Assert.True(File.Exists(path));
        await using var target = TcpTarget.Echo();
        await using var daemon = await StartAsync(["--unix-listen=" + path, target.Address]);
        await using var client = await ConnectUnixAsync(path);
        await client.AssertEchoAsync("replaced");
    }

    [Fact]
    public async Task A_socket_in_use_is_an_error_at_start_and_is_left_alone()
    {
        var path = PathOf("busy.sock");
        using var other = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        other.Bind(new UnixDomainSocketEndPoint(path));
        other.Listen(4);

        var (exit, _, stderr) = await DaemonProcess.RunAsync("--unix-listen=" + path, "127.0.0.1:1");
        Assert.Equal(1, exit);
        Assert.Contains($"cannot listen on unix socket {path}: another process is listening on it", stderr);
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await probe.ConnectAsync(new UnixDomainSocketEndPoint(path)); // still the other one's
        using var accepted = await other.AcceptAsync().WaitAsync(Wait);
        Assert.NotNull(accepted);
    }

    [Theory]
    [InlineData("file")]
    [InlineData("link")]
    public async Task Something_that_is_not_a_socket_is_an_error_and_is_not_deleted(string kind)
    {
        var path = PathOf("not-a-socket");
        var aside = PathOf("aside.sock");
        if (kind == "file")
        {
            await File.WriteAllTextAsync(path, "keep me");
        }
        else
        {
            LeaveStaleSocket(aside); // a stale socket behind the link: the link is still not ours to unlink
            File.CreateSymbolicLink(path, aside);
        }

        var (exit, _, stderr) = await DaemonProcess.RunAsync("--unix-listen=" + path, "127.0.0.1:1");
        Assert.Equal(1, exit);
        Assert.Contains("is not a socket", stderr);
        if (kind == "file")
        {
            Assert.Equal("keep me", await File.ReadAllTextAsync(path));
        }
        else
        {
            Assert.Equal(aside, new FileInfo(path).LinkTarget);
            Assert.True(File.Exists(aside));
        }
    }

    [Fact]
    public async Task A_bad_mode_is_upstreams_usage_error()
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--unix-listen=" + PathOf("x.sock"), "--unix-listen-mode=0689", "127.0.0.1:1");
        Assert.Equal(2, exit);
        Assert.Contains("Error parsing listen unix socket mode", stderr);
        Assert.False(File.Exists(PathOf("x.sock")));
    }

    [Fact]
    public async Task Unix_and_tcp_listeners_together_serve_websockets_the_web_and_tls()
    {
        var path = PathOf("both.sock");
        var web = Directory.CreateDirectory(PathOf("www")).FullName;
        await File.WriteAllTextAsync(Path.Combine(web, "index.html"), "<p>over unix</p>");
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--unix-listen=" + path, "--web", web, "--cert", certificate.CombinedPath, "127.0.0.1:0", target.Address]);
        Assert.Contains(daemon.Lines, l => l.EndsWith($"  - Listen on unix socket {path}", StringComparison.Ordinal));

        await using (var tcp = await RawWebSocketClient.ConnectAsync(daemon.Port, protocols: "binary"))
        {
            await tcp.AssertEchoAsync("tcp");
        }

        await using (var plain = await ConnectUnixAsync(path))
        {
            await plain.AssertEchoAsync("unix, plain");
        }

        await using (var tls = await ConnectUnixAsync(path, tls: true))
        {
            await tls.AssertEchoAsync("unix, tls");
        }

        await using var http = await RawHttpConnection.OpenAsync(new UnixDomainSocketEndPoint(path));
        var page = await http.ExchangeAsync(RawHttpConnection.Get("/"));
        Assert.Equal(200, page.Status);
        Assert.Equal("<p>over unix</p>", page.Text);
    }

    [Fact]
    public async Task Wrap_mode_on_a_unix_listener_moves_the_programs_port_and_listens_on_unix_only()
    {
        var path = PathOf("wrap.sock");
        var port = TcpTarget.UnusedPort();
        var server = await TestPrograms.BindServerAsync();
        await using var daemon = await StartAsync(["--unix-listen=" + path, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--", server, port.ToString(System.Globalization.CultureInfo.InvariantCulture), "4"]);

        await using (var client = await ConnectUnixAsync(path))
        {
            Assert.Equal(101, client.StatusCode);
            var frame = await client.ReadFrameAsync(Wait);
            Assert.StartsWith("hello", Encoding.ASCII.GetString(frame!.Payload));
        }

        // The program's bind of PORT was moved to a loopback port of the kernel's choice, and we bound no TCP port.
        await daemon.WaitForLineAsync(l => l.Contains("is listening on", StringComparison.Ordinal), Wait);
        using var direct = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var refused = await Assert.ThrowsAsync<SocketException>(() => direct.ConnectAsync(IPAddress.Loopback, port));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
