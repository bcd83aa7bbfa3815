using Websockify.Cli;
using Websockify.Tls;

namespace Websockify.Tests.Unit.Cli;

/// <summary>The certificate and key as systemd credentials (websockify-cert, websockify-key), with real files.</summary>
public sealed class TlsCredentialsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("websockify-tlscred-").FullName;
    private readonly string _credentials;

    public TlsCredentialsTests() => _credentials = Directory.CreateDirectory(Path.Combine(_directory, "credentials")).FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private TlsSettings Tls(string? credentials, params string[] argv) =>
        OptionsBuilder.Build(ArgumentTokenizer.Tokenize([.. argv, "6080", "h:1"]), _directory, File.Exists, credentialsDirectory: credentials).Tls;

    private void Credential(string name) => File.WriteAllText(Path.Combine(_credentials, name), "pem");

    [Fact]
    public void Without_options_the_credentials_are_the_certificate_and_key()
    {
        Credential("websockify-cert");
        Credential("websockify-key");
        var tls = Tls(_credentials);
        Assert.Equal(Path.Combine(_credentials, "websockify-cert"), tls.CertPath);
        Assert.True(tls.CertGiven); // so a reload reads it again, unlike a self.pem that was never there
        Assert.Equal(Path.Combine(_credentials, "websockify-key"), tls.KeyPath);
    }

    [Fact]
    public void A_key_credential_goes_with_a_certificate_named_on_the_command_line()
    {
        Credential("websockify-key");
        var tls = Tls(_credentials, "--cert", "/etc/ssl/certs/host.pem");
        Assert.Equal("/etc/ssl/certs/host.pem", tls.CertPath);
        Assert.Equal(Path.Combine(_credentials, "websockify-key"), tls.KeyPath);
    }

    [Fact]
    public void Options_win_over_credentials()
    {
        Credential("websockify-cert");
        Credential("websockify-key");
        var tls = Tls(_credentials, "--cert=c.pem", "--key=k.pem");
        Assert.Equal(Path.Combine(_directory, "c.pem"), tls.CertPath);
        Assert.Equal(Path.Combine(_directory, "k.pem"), tls.KeyPath);
    }

    [Fact]
    public void Without_credentials_it_is_upstreams_self_pem_and_no_key()
    {
        foreach (var credentials in new[] { null, "", _credentials })
        {
            var tls = Tls(credentials);
            Assert.Equal(Path.Combine(_directory, "self.pem"), tls.CertPath);
            Assert.False(tls.CertGiven);
            Assert.Null(tls.KeyPath);
        }
    }

    [Fact]
    public void Ssl_only_is_satisfied_by_a_certificate_credential()
    {
        Credential("websockify-cert");
        Assert.True(Tls(_credentials, "--ssl-only").SslOnly);
        Assert.Throws<CliUsageException>(() => Tls(null, "--ssl-only"));
    }
}
