using System.Net.WebSockets;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>wss:// and ws:// on one port, told apart by the first byte.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Tls_and_plain_share_one_port()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address]);
        Assert.Contains(daemon.Lines, l => l.EndsWith("  - SSL/TLS support", StringComparison.Ordinal));

        await using (var secure = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true))
        {
            await secure.AssertEchoAsync("over wss");
        }

        await using (var plain = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await plain.AssertEchoAsync("over ws");
        }

        // The runtime's own client, checking the certificate it was given.
        using var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, cert, _, _) => cert?.Subject == "CN=localhost";
        await client.ConnectAsync(new Uri($"wss://127.0.0.1:{daemon.Port}/"), default);
        await client.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Binary, true, default);
        var buffer = new byte[16];
        var result = await client.ReceiveAsync(buffer, default);
        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, result.Count));
    }

    [Fact]
    public async Task Default_self_pem_in_the_working_directory_is_used()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], workingDirectory: certificate.Directory);
        await using var secure = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await secure.AssertEchoAsync("self.pem");
    }

    [Fact]
    public async Task Ssl_only_refuses_plain_connections()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--ssl-only", "--cert", certificate.CombinedPath, "127.0.0.1:0", target.Address]);
        Assert.Contains(daemon.Lines, l => l.EndsWith("  - Deny non-SSL/TLS connections", StringComparison.Ordinal));

        await using (var plain = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            Assert.Equal("", plain.ResponseHead); // closed without a response
        }

        await daemon.WaitForLineAsync(l => l.Contains("non-SSL connection received but disallowed", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        await using var secure = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await secure.AssertEchoAsync("tls only");
    }

    [Fact]
    public async Task Tls_client_without_a_certificate_is_closed_and_logged()
    {
        await using var target = TcpTarget.Echo();
        var cwd = Directory.CreateTempSubdirectory("websockify-nocert-").FullName;
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], workingDirectory: cwd);
        Assert.Contains(daemon.Lines, l => l.EndsWith("  - No SSL/TLS support (no cert file)", StringComparison.Ordinal));
        await Assert.ThrowsAnyAsync<IOException>(() => RawWebSocketClient.ConnectAsync(daemon.Port, tls: true));
        await daemon.WaitForLineAsync(l => l.Contains($"SSL connection but '{cwd}/self.pem' not found", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Directory.Delete(cwd);
    }

    [Fact]
    public async Task Minimum_tls_version_is_enforced()
    {
        using var certificate = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--ssl-version=tlsv1_3", "--cert", certificate.CombinedPath, "127.0.0.1:0", target.Address]);
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync("127.0.0.1", daemon.Port);
        using var ssl = new System.Net.Security.SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await Assert.ThrowsAnyAsync<Exception>(() => ssl.AuthenticateAsClientAsync(new System.Net.Security.SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12,
        }));
    }

    [Fact]
    public async Task Unreadable_certificate_fails_start_up_with_exit_1()
    {
        var bad = Path.GetTempFileName();
        await File.WriteAllTextAsync(bad, "not a certificate");
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--cert", bad, "127.0.0.1:0", "127.0.0.1:1");
        File.Delete(bad);
        Assert.Equal(1, exit);
        Assert.Contains($"websockify: cannot load certificate '{bad}'", stderr);
    }

    [Fact]
    public async Task A_certificate_that_cannot_be_used_fails_start_up_with_a_message_not_a_stack_trace()
    {
        using var first = await TestCertificate.CreateAsync();
        using var second = await TestCertificate.CreateAsync();
        var cases = new (string[] Args, string Message)[]
        {
            (["--cert", first.Directory], "it is a directory"),
            (["--cert", first.CertPath, "--key", second.KeyPath], $"cannot load certificate '{first.CertPath}' with key '{second.KeyPath}'"),
            (["--cert", first.CertPath, "--key", first.Directory], $"cannot load certificate '{first.CertPath}'"),
        };
        foreach (var (args, message) in cases)
        {
            var (exit, _, stderr) = await DaemonProcess.RunAsync([.. args, "127.0.0.1:0", "127.0.0.1:1"]);
            Assert.True(exit == 1, $"{string.Join(' ', args)}: exit {exit}\n{stderr}");
            Assert.Contains(message, stderr);
            Assert.DoesNotContain("   at ", stderr);
        }
    }
}
