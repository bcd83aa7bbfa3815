using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>--verify-client and --cafile: TLS clients must present a certificate from a trusted CA.</summary>
public sealed class ClientCertificateTests
{
    private static readonly TimeSpan LineWait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_client_certificate_from_the_trusted_CA_gets_through_and_its_CN_is_logged()
    {
        using var server = await TestCertificate.CreateAsync();
        using var ca = await TestCertificateAuthority.CreateAsync("Test CA one");
        using var alice = await ca.IssueClientAsync("alice");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--verify-client", "--cafile", ca.CertPath, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true, clientCertificate: alice);
        await client.AssertEchoAsync("hello with a certificate");
        var line = await daemon.WaitForLineAsync(l => l.Contains("client certificate verified: CN=alice,", StringComparison.Ordinal), LineWait);
        Assert.Contains("subject 'CN=alice, O=Websockify tests'", line);
        Assert.Contains("SHA-256 " + string.Join(':', Convert.ToHexString(alice.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256)).Chunk(2).Select(p => new string(p))), line);
        Assert.Equal(1, target.Accepted);
    }

    [Theory]
    [InlineData("another CA", "client certificate 'CN=mallory, O=Websockify tests' not trusted")]
    [InlineData("none", "the client sent no certificate")]
    public async Task A_client_without_a_trusted_certificate_is_refused_in_the_handshake_and_the_target_never_dialed(string presented, string reason)
    {
        using var server = await TestCertificate.CreateAsync();
        using var trusted = await TestCertificateAuthority.CreateAsync("Test CA one");
        using var other = await TestCertificateAuthority.CreateAsync("Test CA two");
        using var mallory = presented == "none" ? null : await other.IssueClientAsync("mallory");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--verify-client", "--cafile", trusted.CertPath, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);

        Assert.True(await IsRefusedAsync(daemon.Port, mallory), "the upgrade went through");
        await daemon.WaitForLineAsync(l => l.Contains("TLS handshake failed: " + reason, StringComparison.Ordinal), LineWait);
        Assert.Equal(0, target.Accepted);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("client certificate verified", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plain_clients_are_not_asked_for_a_certificate_and_start_up_warns_about_it()
    {
        using var server = await TestCertificate.CreateAsync();
        using var ca = await TestCertificateAuthority.CreateAsync("Test CA one");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--verify-client", "--cafile", ca.CertPath, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);
        await daemon.WaitForLineAsync(l => l.Contains("plain ws:// clients on this port are not asked for a certificate", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using var plain = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await plain.AssertEchoAsync("plain, as upstream");
    }

    [Fact]
    public async Task With_ssl_only_there_is_no_warning_and_plain_clients_are_refused()
    {
        using var server = await TestCertificate.CreateAsync();
        using var ca = await TestCertificateAuthority.CreateAsync("Test CA one");
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--ssl-only", "--verify-client", "--cafile", ca.CertPath, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);

        await using var plain = await RawWebSocketClient.ConnectAsync(daemon.Port);
        Assert.NotEqual(101, plain.StatusCode);
        await daemon.WaitForLineAsync(l => l.Contains("non-SSL connection received but disallowed", StringComparison.Ordinal), LineWait);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("are not asked for a certificate", StringComparison.Ordinal));
        Assert.Equal(0, target.Accepted);
    }

    [Fact]
    public async Task Sighup_reloads_the_CA_file_and_a_broken_one_keeps_the_current_CAs()
    {
        using var server = await TestCertificate.CreateAsync();
        using var first = await TestCertificateAuthority.CreateAsync("Test CA one");
        using var second = await TestCertificateAuthority.CreateAsync("Test CA two");
        using var fromFirst = await first.IssueClientAsync("first-client");
        using var fromSecond = await second.IssueClientAsync("second-client");
        var caPath = Path.Combine(first.Directory, "live-ca.pem");
        File.Copy(first.CertPath, caPath);
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["--verify-client", "--cafile", caPath, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);

        Assert.True(await IsRefusedAsync(daemon.Port, fromSecond), "CA two's client got through before the reload");
        await using var open = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true, clientCertificate: fromFirst);
        await open.AssertEchoAsync("before reload");

        File.Copy(second.CertPath, caPath, overwrite: true);
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(_ => daemon.Lines.Count(l => l.Contains("Loaded CA file", StringComparison.Ordinal)) == 2, LineWait);
        await daemon.WaitForLineAsync(_ => daemon.Lines.Count(l => l.Contains("Loaded certificate", StringComparison.Ordinal)) == 2, LineWait);

        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true, clientCertificate: fromSecond))
        {
            await client.AssertEchoAsync("CA two after reload");
        }

        Assert.True(await IsRefusedAsync(daemon.Port, fromFirst), "CA one's client got through after the reload");
        await open.AssertEchoAsync("the open session is not cut");

        await File.WriteAllTextAsync(caPath, "not a certificate");
        daemon.Signal(Signals.SIGHUP);
        await daemon.WaitForLineAsync(l => l.Contains($"Reloading '{caPath}' failed", StringComparison.Ordinal) && l.Contains("keeping the current certificate and CAs", StringComparison.Ordinal), LineWait);
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true, clientCertificate: fromSecond))
        {
            await client.AssertEchoAsync("CA two still trusted");
        }

        Assert.True(await IsRefusedAsync(daemon.Port, fromFirst), "CA one's client got through after the failed reload");
    }

    [Fact]
    public async Task A_CA_file_that_cannot_be_used_fails_start_up_with_exit_1()
    {
        using var server = await TestCertificate.CreateAsync();
        using var ca = await TestCertificateAuthority.CreateAsync("Test CA one");
        using var issued = await ca.IssueClientAsync("not-a-ca");
        var leafOnly = Path.Combine(ca.Directory, "not-a-ca.pem");
        var garbage = Path.GetTempFileName();
        await File.WriteAllTextAsync(garbage, "not a certificate");
        try
        {
            var cases = new (string CaFile, string Message)[]
            {
                (garbage, $"cannot load CA file '{garbage}': no PEM certificate in it"),
                (server.KeyPath, $"cannot load CA file '{server.KeyPath}': no PEM certificate in it"),
                (garbage + ".missing", $"cannot load CA file '{garbage}.missing'"),
                (server.Directory, $"cannot load CA file '{server.Directory}': it is a directory"),
                (leafOnly, $"cannot load CA file '{leafOnly}': no self-signed (root) certificate in it"),
            };
            foreach (var (caFile, message) in cases)
            {
                var (exit, _, stderr) = await DaemonProcess.RunAsync("--verify-client", "--cafile", caFile, "--cert", server.CombinedPath, "127.0.0.1:0", "127.0.0.1:1");
                Assert.True(exit == 1, $"{caFile}: exit {exit}\n{stderr}");
                Assert.Contains(message, stderr);
                Assert.DoesNotContain("   at ", stderr);
            }
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public async Task Cafile_without_verify_client_is_ignored_with_a_warning()
    {
        using var server = await TestCertificate.CreateAsync();
        await using var target = TcpTarget.Echo();
        var missing = Path.Combine(server.Directory, "no-such-ca.pem");
        await using var daemon = await DaemonProcess.StartAsync(["--cafile", missing, "--cert", server.CombinedPath, "127.0.0.1:0", target.Address]);
        await daemon.WaitForLineAsync(l => l.Contains($"--cafile '{missing}' is ignored without --verify-client", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await client.AssertEchoAsync("no certificate needed");
    }

    /// <summary>True when the connection ends before an upgrade: in the handshake, or (TLS 1.3) right after the client's side of it.</summary>
    private static async Task<bool> IsRefusedAsync(int port, X509Certificate2? certificate)
    {
        try
        {
            await using var client = await RawWebSocketClient.ConnectAsync(port, tls: true, clientCertificate: certificate);
            return client.ResponseHead.Length == 0;
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException or SocketException)
        {
            return true;
        }
    }
}
