using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--ssl-target</c> through the binary against the real <c>openssl s_server</c>: bytes both ways, SNI,
/// TLS 1.2 and 1.3, and the three ways of trusting the target (system store, a CA file, none).
/// </summary>
public sealed class SslTargetTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Tls12_target_signed_by_a_private_ca_gets_sni_and_carries_bytes_both_ways()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("ca", san: null);
        await certs.SignedAsync("right", "ca", "DNS:localhost");
        await certs.SignedAsync("fallback", "ca", "DNS:fallback.invalid");

        // Without SNI "localhost" s_server would present the fallback certificate, whose name does not match.
        await using var target = await OpenSslServer.StartAsync(certs.Cert("fallback"), certs.Key("fallback"),
            "-tls1_2", "-servername", "localhost", "-cert2", certs.Cert("right"), "-key2", certs.Key("right"));
        await using var daemon = await DaemonProcess.StartAsync(
            ["--ssl-target", "--ssl-target-cafile", certs.Cert("ca"), "127.0.0.1:0", $"localhost:{target.Port}"]);
        await daemon.WaitForLineAsync(l => l.EndsWith($" to localhost:{target.Port} (using SSL)", StringComparison.Ordinal) && l.Contains("proxying from", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.Equal(101, client.StatusCode);
        await AssertBytesBothWaysAsync(client, target);
        await target.WaitForOutputAsync("Hostname in TLS extension: \"localhost\"", Wait);
        await daemon.WaitForLineAsync(l => l.Contains($"connecting to: localhost:{target.Port} (using SSL)", StringComparison.Ordinal), Wait);

        // The client's close ends the TLS session properly: close_notify, which s_server reports as DONE.
        await client.SendAsync(RawFrame.CloseFrame(1000));
        var (close, _) = await client.ReadUntilCloseAsync();
        Assert.Equal(1000, close?.CloseCode);
        await target.WaitForOutputAsync("DONE", Wait);
    }

    [Fact]
    public async Task Tls13_target_that_sends_only_session_tickets_still_gets_the_clients_first_message()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("vnc", "DNS:localhost,IP:127.0.0.1");
        await using var target = await OpenSslServer.StartAsync(certs.Cert("vnc"), certs.Key("vnc"), "-tls1_3");

        // A self-signed certificate is its own CA; 127.0.0.1 is checked against its IP SAN.
        await using var daemon = await DaemonProcess.StartAsync(
            ["--ssl-target", "--ssl-target-cafile", certs.Cert("vnc"), "127.0.0.1:0", $"127.0.0.1:{target.Port}"]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.Equal(101, client.StatusCode);
        await target.WaitForOutputAsync("CIPHER is TLS_", Wait); // the handshake is done: the target has sent its tickets and waits

        await Task.Delay(TimeSpan.FromSeconds(1)); // a second of silence on both sides before the client speaks
        await AssertBytesBothWaysAsync(client, target);
    }

    [Fact]
    public async Task A_wrong_ca_file_is_refused_with_1011_and_the_reason_only_in_the_log()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("vnc", "DNS:localhost,IP:127.0.0.1");
        await certs.SelfSignedAsync("other", "DNS:localhost,IP:127.0.0.1");
        await using var target = await OpenSslServer.StartAsync(certs.Cert("vnc"), certs.Key("vnc"));
        await using var daemon = await DaemonProcess.StartAsync(
            ["--ssl-target", "--ssl-target-cafile", certs.Cert("other"), "127.0.0.1:0", $"localhost:{target.Port}"]);

        var line = await AssertRefusedAsync(daemon);
        Assert.Contains("certificate verification failed: the certificate chain is not trusted", line, StringComparison.Ordinal);
        Assert.Contains("UntrustedRoot", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_ca_file_a_self_signed_target_is_refused_as_upstream_does()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("vnc", "DNS:localhost,IP:127.0.0.1");
        await using var target = await OpenSslServer.StartAsync(certs.Cert("vnc"), certs.Key("vnc"));
        await using var daemon = await DaemonProcess.StartAsync(["--ssl-target", "127.0.0.1:0", $"localhost:{target.Port}"]);

        var line = await AssertRefusedAsync(daemon);
        Assert.Contains("the certificate chain is not trusted", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_certificate_for_another_name_is_refused()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("vnc", "DNS:vnc.invalid");
        await using var target = await OpenSslServer.StartAsync(certs.Cert("vnc"), certs.Key("vnc"));
        await using var daemon = await DaemonProcess.StartAsync(
            ["--ssl-target", "--ssl-target-cafile", certs.Cert("vnc"), "127.0.0.1:0", $"localhost:{target.Port}"]);

        var line = await AssertRefusedAsync(daemon);
        Assert.Contains("the certificate does not match the target host name", line, StringComparison.Ordinal);
        Assert.DoesNotContain("chain", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Insecure_accepts_any_certificate_and_warns_at_start()
    {
        using var certs = new TargetCertificates();
        await certs.SelfSignedAsync("vnc", "DNS:vnc.invalid");
        await using var target = await OpenSslServer.StartAsync(certs.Cert("vnc"), certs.Key("vnc"));
        await using var daemon = await DaemonProcess.StartAsync(["--ssl-target", "--ssl-target-insecure", "127.0.0.1:0", $"localhost:{target.Port}"]);
        await daemon.WaitForLineAsync(l => l.Contains("--ssl-target-insecure: the target's certificate is not verified", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.Equal(101, client.StatusCode);
        await AssertBytesBothWaysAsync(client, target);
    }

    [Theory]
    [InlineData("You must use --ssl-target to use --ssl-target-cafile", "--ssl-target-cafile", "/etc/hostname", "6080", "h:1")]
    [InlineData("You must use --ssl-target to use --ssl-target-insecure", "--ssl-target-insecure", "6080", "h:1")]
    [InlineData("--ssl-target-cafile and --ssl-target-insecure cannot be used together", "--ssl-target", "--ssl-target-cafile", "/etc/hostname", "--ssl-target-insecure", "6080", "h:1")]
    [InlineData("--ssl-target cannot be used with a wrapped program", "--ssl-target", "6080", "--", "true")]
    public async Task Inconsistent_options_are_usage_errors(string message, params string[] argv)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync(argv);
        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    public async Task An_unusable_ca_file_stops_the_start_with_a_message(string kind)
    {
        using var certs = new TargetCertificates();
        var path = Path.Combine(certs.Directory, "ca.pem");
        if (kind == "garbage")
        {
            await File.WriteAllTextAsync(path, "not a certificate\n");
        }

        var (exit, _, stderr) = await DaemonProcess.RunAsync("--ssl-target", "--ssl-target-cafile", path, "127.0.0.1:0", "localhost:1");
        Assert.Equal(1, exit);
        Assert.Contains($"--ssl-target-cafile {path}: ", stderr, StringComparison.Ordinal);
    }

    private static async Task AssertBytesBothWaysAsync(RawWebSocketClient client, OpenSslServer target)
    {
        var toTarget = "client says " + Guid.NewGuid().ToString("N");
        await client.SendAsync(RawFrame.Build(RawFrame.Binary, Encoding.ASCII.GetBytes(toTarget)));
        await target.WaitForOutputAsync(toTarget, Wait);

        var toClient = "target says " + Guid.NewGuid().ToString("N");
        await target.SendLineAsync(toClient);
        var received = new StringBuilder();
        while (!received.ToString().Contains(toClient + "\n", StringComparison.Ordinal))
        {
            var frame = await client.ReadFrameAsync();
            Assert.NotNull(frame);
            Assert.Equal(RawFrame.Binary, frame.Opcode);
            received.Append(Encoding.ASCII.GetString(frame.Payload));
        }
    }

    /// <summary>The client gets upstream's generic 1011; the daemon's log line says why.</summary>
    private static async Task<string> AssertRefusedAsync(DaemonProcess daemon)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.Equal(101, client.StatusCode);
        var (close, data) = await client.ReadUntilCloseAsync();
        Assert.Empty(data);
        Assert.Equal(1011, close?.CloseCode);
        Assert.Equal("Failed to connect to downstream server", close?.CloseReason);
        return await daemon.WaitForLineAsync(l => l.Contains("Failed to connect to", StringComparison.Ordinal), Wait);
    }
}
