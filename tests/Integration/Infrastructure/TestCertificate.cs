using CliWrap;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A throwaway self-signed certificate made by the real openssl for one test.</summary>
internal sealed class TestCertificate : IDisposable
{
    private TestCertificate(string directory)
    {
        Directory = directory;
    }

    public string Directory { get; }

    public string CertPath => Path.Combine(Directory, "cert.pem");

    public string KeyPath => Path.Combine(Directory, "key.pem");

    /// <summary>Certificate and key in one file, like upstream's default self.pem.</summary>
    public string CombinedPath => Path.Combine(Directory, "self.pem");

    public static async Task<TestCertificate> CreateAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("websockify-cert-").FullName;
        var certificate = new TestCertificate(directory);
        await Cli.Wrap("openssl")
            .WithArguments(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", certificate.KeyPath, "-out", certificate.CertPath, "-days", "2", "-subj", "/CN=localhost"])
            .WithStandardErrorPipe(PipeTarget.Null)
            .ExecuteAsync();
        await File.WriteAllTextAsync(
            certificate.CombinedPath, await File.ReadAllTextAsync(certificate.CertPath) + await File.ReadAllTextAsync(certificate.KeyPath));
        return certificate;
    }

    /// <summary>
    /// A certificate whose key (<see cref="KeyPath"/>) is encrypted with <paramref name="password"/>
    /// (<c>openssl genpkey -aes256</c>: PKCS#8, "ENCRYPTED PRIVATE KEY").
    /// </summary>
    public static async Task<TestCertificate> CreateEncryptedAsync(string password)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("websockify-cert-").FullName;
        var certificate = new TestCertificate(directory);
        await Cli.Wrap("openssl")
            .WithArguments(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-aes256",
                "-pass", "pass:" + password, "-out", certificate.KeyPath])
            .WithStandardErrorPipe(PipeTarget.Null)
            .ExecuteAsync();
        await Cli.Wrap("openssl")
            .WithArguments(["req", "-x509", "-key", certificate.KeyPath, "-passin", "pass:" + password,
                "-out", certificate.CertPath, "-days", "2", "-subj", "/CN=localhost"])
            .WithStandardErrorPipe(PipeTarget.Null)
            .ExecuteAsync();
        return certificate;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
