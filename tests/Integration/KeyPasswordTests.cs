using System.Text;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// An encrypted key (openssl genpkey -aes256) unlocked by --key-password-file, by the systemd credential
/// websockify-key-password, and under -D without the password reaching the daemon's command line or
/// environment, which every user can read in /proc.
/// </summary>
public sealed class KeyPasswordTests
{
    private const string Password = "Tr0ub4dor-and-3";

    private static async Task<string> PasswordFileAsync(TestCertificate certificate, string name = "password")
    {
        var path = Path.Combine(certificate.Directory, name);
        await File.WriteAllTextAsync(path, Password + "\n");
        return path;
    }

    [Fact]
    public async Task Key_password_file_unlocks_an_encrypted_key()
    {
        using var certificate = await TestCertificate.CreateEncryptedAsync(Password);
        await using var target = TcpTarget.Echo();
        var passwordFile = await PasswordFileAsync(certificate);
        await using var daemon = await DaemonProcess.StartAsync(
            ["--cert", certificate.CertPath, "--key", certificate.KeyPath, "--key-password-file", passwordFile, "127.0.0.1:0", target.Address]);
        await using var secure = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await secure.AssertEchoAsync("unlocked by a file");
    }

    [Fact]
    public async Task The_systemd_credential_unlocks_an_encrypted_key_when_no_option_names_a_password()
    {
        using var certificate = await TestCertificate.CreateEncryptedAsync(Password);
        await using var target = TcpTarget.Echo();
        var credentials = Directory.CreateDirectory(Path.Combine(certificate.Directory, "credentials")).FullName;
        await PasswordFileAsync(certificate, "credentials/websockify-key-password");
        await using var daemon = await DaemonProcess.StartAsync(
            ["--cert", certificate.CertPath, "--key", certificate.KeyPath, "127.0.0.1:0", target.Address],
            new Dictionary<string, string> { ["CREDENTIALS_DIRECTORY"] = credentials });
        await using var secure = await RawWebSocketClient.ConnectAsync(daemon.Port, tls: true);
        await secure.AssertEchoAsync("unlocked by a credential");
    }

    [Fact]
    public async Task Unusable_password_sources_exit_2_and_a_wrong_password_exits_1()
    {
        using var certificate = await TestCertificate.CreateEncryptedAsync(Password);
        var missing = Path.Combine(certificate.Directory, "missing");
        var key = new[] { "--cert", certificate.CertPath, "--key", certificate.KeyPath };

        var (exit, _, stderr) = await DaemonProcess.RunAsync([.. key, "--key-password-file", missing, "127.0.0.1:0", "127.0.0.1:1"]);
        Assert.Equal(2, exit);
        Assert.Contains($"websockify: error: option --key-password-file: cannot read '{missing}': ", stderr);

        (exit, _, stderr) = await DaemonProcess.RunAsync([.. key, "--key-password=x", "--key-password-file", missing, "127.0.0.1:0", "127.0.0.1:1"]);
        Assert.Equal(2, exit);
        Assert.EndsWith("websockify: error: --key-password and --key-password-file cannot be used together\n", stderr);

        var wrong = Path.Combine(certificate.Directory, "wrong");
        await File.WriteAllTextAsync(wrong, "not the password\n");
        (exit, _, stderr) = await DaemonProcess.RunAsync([.. key, "--key-password-file", wrong, "127.0.0.1:0", "127.0.0.1:1"]);
        Assert.Equal(1, exit);
        Assert.Contains($"websockify: cannot load certificate '{certificate.CertPath}' with key '{certificate.KeyPath}'", stderr);
    }

    [Theory]
    [InlineData("--key-password-file")]
    [InlineData("--key-password")]
    public async Task Daemon_mode_serves_wss_without_the_password_in_the_daemons_cmdline_or_environment(string option)
    {
        using var certificate = await TestCertificate.CreateEncryptedAsync(Password);
        await using var target = TcpTarget.Echo();
        var passwordArgs = option == "--key-password" ? new[] { "--key-password", Password } : ["--key-password-file", await PasswordFileAsync(certificate)];
        var port = TcpTarget.UnusedPort();
        var pidFile = Path.Combine(certificate.Directory, "daemon.pid");
        var (exit, _, stderr) = await DaemonProcess.RunAsync(
            ["-D", "--pid-file", pidFile, "--cert", certificate.CertPath, "--key", certificate.KeyPath, .. passwordArgs, $"127.0.0.1:{port}", target.Address]);
        Assert.True(exit == 0, stderr);
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        try
        {
            await using (var secure = await RawWebSocketClient.ConnectAsync(port, tls: true))
            {
                await secure.AssertEchoAsync("daemonized with a password");
            }

            var cmdline = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/cmdline")).Replace('\0', ' ');
            var environ = Encoding.UTF8.GetString(await File.ReadAllBytesAsync($"/proc/{pid}/environ")).Replace('\0', ' ');
            Assert.Contains(certificate.KeyPath, cmdline); // it is the daemon's command line
            Assert.DoesNotContain(Password, cmdline);
            Assert.DoesNotContain("--key-password", cmdline);
            Assert.DoesNotContain(Password, environ);
        }
        finally
        {
            Signals.Send(pid, Signals.SIGTERM);
            for (var i = 0; i < 200 && Directory.Exists($"/proc/{pid}"); i++)
            {
                await Task.Delay(50);
            }
        }
    }
}
