using CliWrap;
using CliWrap.Buffered;

namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>
/// A self-signed certificate for https://127.0.0.1, made by the real openssl (CN and subjectAltName
/// IP:127.0.0.1, as a browser checks the address), and the base64 SHA-256 of its public key, which
/// Chromium's <c>--ignore-certificate-errors-spki-list</c> takes: only this one key is trusted.
/// </summary>
internal sealed class BrowserCertificate : IDisposable
{
    private BrowserCertificate(string directory, string spkiHash)
    {
        Directory = directory;
        SpkiHash = spkiHash;
    }

    public string Directory { get; }

    public string CertPath => Path.Combine(Directory, "cert.pem");

    public string KeyPath => Path.Combine(Directory, "key.pem");

    public string SpkiHash { get; }

    public static async Task<BrowserCertificate> CreateAsync()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("websockify-browser-cert-").FullName;
        var cert = Path.Combine(directory, "cert.pem");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await Cli.Wrap("openssl")
            .WithArguments(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", Path.Combine(directory, "key.pem"), "-out", cert, "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
            .ExecuteBufferedAsync(timeout.Token);

        // The public key in DER, hashed, in base64: the pipeline Chromium's documentation gives.
        var hash = await Cli.Wrap("/bin/sh")
            .WithArguments(["-c", "openssl x509 -in \"$0\" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64", cert])
            .ExecuteBufferedAsync(timeout.Token);
        return new BrowserCertificate(directory, hash.StandardOutput.Trim());
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
