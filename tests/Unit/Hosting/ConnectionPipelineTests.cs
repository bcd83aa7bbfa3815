using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using Websockify.Auth;
using Websockify.Connections;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Legacy;
using Websockify.Net;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.Tls;

namespace Websockify.Tests.Unit.Hosting;

/// <summary>The pipeline's stages and seams: which requests reach the web handler, the authenticators and the target resolver.</summary>
public sealed class ConnectionPipelineTests
{
    private readonly IHttpRequestHandler _http = Substitute.For<IHttpRequestHandler>();
    private readonly ITargetResolver _targets = Substitute.For<ITargetResolver>();
    private readonly IConnectionAuthenticator _auth = Substitute.For<IConnectionAuthenticator>();
    private readonly IConnectionAuthenticator _webAuth = Substitute.For<IConnectionAuthenticator>();
    private readonly FakeTimeProvider _time = new();

    public ConnectionPipelineTests()
    {
        _http.HandleAsync(default!, default!, default).ReturnsForAnyArgs(call => AnswerAsync(call.Arg<ConnectionContext>(), keepAlive: false));
        _auth.AuthenticateAsync(default!, default!, default).ReturnsForAnyArgs(ValueTask.FromResult<HttpRejection?>(null));
        _webAuth.AuthenticateAsync(default!, default!, default).ReturnsForAnyArgs(ValueTask.FromResult<HttpRejection?>(null));
    }

    private ConnectionPipeline CreatePipeline()
    {
        var tls = TlsServerContext.Load(new TlsSettings { CertPath = "/nonexistent/self.pem" }, NullLogger.Instance);
        var connector = new TargetConnector(new TargetDialer(Limits.Default.ConnectTimeout, _time), _targets, NullLogger.Instance);
        var stages = new PipelineStages(
            new TlsNegotiation(tls, NullLogger.Instance), _auth, _webAuth, _http, _targets,
            new SessionStage(connector, new SessionRegistry(), SessionObservers.None, Limits.Default, _time, NullLogger.Instance),
            LegacyProtocols.None, new RealClient(ClientAddressSettings.Direct, NullLogger.Instance));
        return new ConnectionPipeline(stages, new ConnectionIds(), Limits.Default, _time, NullLogger.Instance, CancellationToken.None);
    }

    private static async Task<HttpAnswer> AnswerAsync(ConnectionContext connection, bool keepAlive)
    {
        var body = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{connection.Request!.Path.Length:00}");
        await connection.Transport.WriteAsync(body);
        return new HttpAnswer(200, keepAlive);
    }

    /// <summary>A loopback connection served by the pipeline: the client socket and the pipeline's task.</summary>
    private async Task<(Socket Client, Task Serving)> ConnectAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        return (client, CreatePipeline().RunAsync(await listener.AcceptAsync()).AsTask());
    }

    private async Task<byte[]> ExchangeAsync(string request)
    {
        var (client, serving) = await ConnectAsync();
        using (client)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(request));
            var response = await ReadToEndAsync(client);
            client.Shutdown(SocketShutdown.Send); // the pipeline's lingering close waits for our FIN (its timer is the fake clock)
            await serving.WaitAsync(TimeSpan.FromSeconds(10));
            return response;
        }
    }

    private static async Task<byte[]> ReadToEndAsync(Socket client)
    {
        var response = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read;
        while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            response.Write(buffer, 0, read);
        }

        return response.ToArray();
    }

    private static string Upgrade(string path) =>
        $"GET {path} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Fact]
    public async Task Plain_requests_go_to_the_http_handler_and_never_to_a_target()
    {
        await ExchangeAsync("GET /vnc.html HTTP/1.1\r\nHost: h\r\n\r\n");

        await _webAuth.Received(1).AuthenticateAsync(Arg.Any<ConnectionContext>(), Arg.Is<HttpRequest>(r => r.Path == "/vnc.html"), Arg.Any<CancellationToken>());
        await _http.Received(1).HandleAsync(Arg.Any<ConnectionContext>(), Arg.Is<HttpRequest>(r => r.Path == "/vnc.html"), Arg.Any<CancellationToken>());
        await _targets.DidNotReceiveWithAnyArgs().ResolveAsync(default!, default);
        await _auth.DidNotReceiveWithAnyArgs().AuthenticateAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_kept_alive_connection_carries_pipelined_requests_in_order()
    {
        var paths = new List<string>();
        _http.HandleAsync(default!, default!, default).ReturnsForAnyArgs(call =>
        {
            paths.Add(call.Arg<HttpRequest>().Path);
            return AnswerAsync(call.Arg<ConnectionContext>(), keepAlive: paths.Count < 3);
        });

        var response = Encoding.ASCII.GetString(await ExchangeAsync(
            "GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /bb HTTP/1.1\r\nHost: h\r\n\r\nGET /ccc HTTP/1.1\r\nHost: h\r\n\r\nGET /never HTTP/1.1\r\nHost: h\r\n\r\n"));

        Assert.Equal(["/a", "/bb", "/ccc"], paths); // the third answer closed the connection: the fourth request is not read
        Assert.Equal(3, response.Split("HTTP/1.1 200 OK").Length - 1);
        Assert.EndsWith("\r\n\r\n04", response);
    }

    [Fact]
    public async Task Resolver_sees_the_whole_request_target_and_a_refusal_sends_nothing()
    {
        _targets.ResolveAsync(default!, default).ReturnsForAnyArgs(ValueTask.FromResult(TargetResolution.Refused("unknown token")));

        var response = await ExchangeAsync(Upgrade("/websockify?token=abc"));

        Assert.Empty(response); // upstream closes without an HTTP response when no target is found
        await _targets.Received(1).ResolveAsync(Arg.Is<ConnectionContext>(c => c.Request!.Target == "/websockify?token=abc"), Arg.Any<CancellationToken>());
        await _http.DidNotReceiveWithAnyArgs().HandleAsync(default!, default!, default);
    }

    [Fact]
    public async Task A_refusal_with_a_rejection_is_answered_with_it()
    {
        _targets.ResolveAsync(default!, default).ReturnsForAnyArgs(ValueTask.FromResult(
            TargetResolution.Refused("unknown token", new HttpRejection(404, "no such token"))));

        var response = Encoding.ASCII.GetString(await ExchangeAsync(Upgrade("/?token=zzz")));

        Assert.StartsWith("HTTP/1.1 404 Not Found\r\n", response);
        Assert.EndsWith("404 Not Found: no such token\n", response);
    }

    [Fact]
    public async Task Invalid_upgrade_is_answered_before_any_target_is_chosen_with_its_own_headers()
    {
        var response = Encoding.ASCII.GetString(await ExchangeAsync(Upgrade("/").Replace("Version: 13", "Version: 99", StringComparison.Ordinal)));

        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", response);
        Assert.Contains("\r\nSec-WebSocket-Version: 13\r\n", response);
        Assert.Contains("\r\nConnection: close\r\n", response);
        await _targets.DidNotReceiveWithAnyArgs().ResolveAsync(default!, default);
        await _auth.DidNotReceiveWithAnyArgs().AuthenticateAsync(default!, default!, default);
    }

    [Fact]
    public async Task Authentication_runs_before_target_resolution_and_its_refusal_carries_its_headers()
    {
        _auth.AuthenticateAsync(default!, default!, default).ReturnsForAnyArgs(ValueTask.FromResult<HttpRejection?>(
            new HttpRejection(401, "credentials required", [new("WWW-Authenticate", "Basic realm=\"websockify\"")])));

        var response = Encoding.ASCII.GetString(await ExchangeAsync(Upgrade("/")));

        Assert.StartsWith("HTTP/1.1 401 Unauthorized\r\n", response);
        Assert.Contains("\r\nWWW-Authenticate: Basic realm=\"websockify\"\r\n", response);
        await _auth.Received(1).AuthenticateAsync(
            Arg.Is<ConnectionContext>(c => c.Peer.StartsWith("127.0.0.1:", StringComparison.Ordinal) && c.Tls == null && c.Id == 1),
            Arg.Is<HttpRequest>(r => r.Method == "GET"), Arg.Any<CancellationToken>());
        await _targets.DidNotReceiveWithAnyArgs().ResolveAsync(default!, default);
    }

    [Fact]
    public async Task Web_authentication_guards_the_http_handler()
    {
        _webAuth.AuthenticateAsync(default!, default!, default).ReturnsForAnyArgs(ValueTask.FromResult<HttpRejection?>(new HttpRejection(403, "not for you")));

        var response = Encoding.ASCII.GetString(await ExchangeAsync("GET /vnc.html HTTP/1.1\r\nHost: h\r\n\r\n"));

        Assert.StartsWith("HTTP/1.1 403 Forbidden\r\n", response);
        await _http.DidNotReceiveWithAnyArgs().HandleAsync(default!, default!, default);
    }

    [Fact]
    public async Task The_handshake_deadline_runs_on_the_daemons_clock()
    {
        // Just before the deadline the connection is still served...
        var (early, earlyServing) = await ConnectAsync();
        using (early)
        {
            _time.Advance(Limits.Default.HandshakeTimeout - TimeSpan.FromMilliseconds(1));
            await early.SendAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
            Assert.StartsWith("HTTP/1.1 200 OK", Encoding.ASCII.GetString(await ReadToEndAsync(early)));
            early.Shutdown(SocketShutdown.Send);
            await earlyServing.WaitAsync(TimeSpan.FromSeconds(10));
        }

        // ...and at the deadline a silent client is closed, with no real time having passed.
        var (late, lateServing) = await ConnectAsync();
        using (late)
        {
            _time.Advance(Limits.Default.HandshakeTimeout);
            await lateServing.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Empty(await ReadToEndAsync(late));
        }

        await _http.ReceivedWithAnyArgs(1).HandleAsync(default!, default!, default);
    }
}
