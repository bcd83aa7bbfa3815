using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute;
using Websockify.Cli;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Listening;
using Websockify.Relay;
using Websockify.Targets;

namespace Websockify.Tests.Unit.Hosting;

/// <summary>The pipeline's seams: which requests reach the HTTP handler and the target resolver.</summary>
public sealed class ConnectionPipelineTests
{
    private readonly IHttpRequestHandler _http = Substitute.For<IHttpRequestHandler>();
    private readonly ITargetResolver _targets = Substitute.For<ITargetResolver>();

    private async Task<byte[]> ExchangeAsync(string request)
    {
        var tls = TlsServerContext.Load(new TlsSettings { CertPath = "/nonexistent/self.pem" }, NullLogger.Instance);
        var pipeline = new ConnectionPipeline(tls, _http, _targets, new SessionRegistry(), NullLogger.Instance, CancellationToken.None);

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var serving = pipeline.RunAsync(await listener.AcceptAsync());

        await client.SendAsync(Encoding.ASCII.GetBytes(request));
        var response = new MemoryStream();
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        int read;
        while ((read = await client.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
        {
            response.Write(buffer, 0, read);
        }

        await serving.WaitAsync(TimeSpan.FromSeconds(10));
        return response.ToArray();
    }

    private static string Upgrade(string path) =>
        $"GET {path} HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    [Fact]
    public async Task Plain_requests_go_to_the_http_handler_and_never_to_a_target()
    {
        await ExchangeAsync("GET /vnc.html HTTP/1.1\r\nHost: h\r\n\r\n");

        await _http.Received(1).HandleAsync(Arg.Is<HttpRequest>(r => r.Path == "/vnc.html"), Arg.Any<Stream>(), Arg.Any<CancellationToken>());
        await _targets.DidNotReceiveWithAnyArgs().ResolveAsync(default!, default);
    }

    [Fact]
    public async Task Resolver_sees_the_whole_request_target_and_a_refusal_sends_nothing()
    {
        _targets.ResolveAsync(default!, default).ReturnsForAnyArgs(ValueTask.FromResult<TargetEndpoint?>(null));

        var response = await ExchangeAsync(Upgrade("/websockify?token=abc"));

        Assert.Empty(response); // upstream closes without an HTTP response when no target is found
        await _targets.Received(1).ResolveAsync(Arg.Is<HttpRequest>(r => r.Target == "/websockify?token=abc"), Arg.Any<CancellationToken>());
        await _http.DidNotReceiveWithAnyArgs().HandleAsync(default!, default!, default);
    }

    [Fact]
    public async Task Invalid_upgrade_is_answered_before_any_target_is_chosen()
    {
        var response = Encoding.ASCII.GetString(await ExchangeAsync(Upgrade("/").Replace("Version: 13", "Version: 99", StringComparison.Ordinal)));

        Assert.StartsWith("HTTP/1.1 426 Upgrade Required\r\n", response);
        await _targets.DidNotReceiveWithAnyArgs().ResolveAsync(default!, default);
    }
}
