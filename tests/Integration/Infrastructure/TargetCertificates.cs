using CliWrap;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// Certificates for TLS targets, made by the real openssl in one temporary directory: a private CA, leaves it
/// signs, and self-signed leaves, each with the subject alternative names given.
/// </summary>
internal sealed class TargetCertificates : IDisposable
{
    public TargetCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("websockify-target-certs-").FullName;
    }

    public string Directory { get; }

    public string Cert(string name) => Path.Combine(Directory, name + ".pem");

    public string Key(string name) => Path.Combine(Directory, name + ".key");

    /// <summary>A self-signed certificate <paramref name="name"/> (a CA when <paramref name="san"/> is null).</summary>
    public async Task SelfSignedAsync(string name, string? san)
    {
        string[] extensions = san is null
            ? ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
            : ["-addext", "subjectAltName=" + san];
        await RunAsync(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", Key(name), "-out", Cert(name), "-days", "2", "-subj", "/CN=" + name, .. extensions]);
    }

    /// <summary>A leaf <paramref name="name"/> signed by the CA <paramref name="ca"/>.</summary>
    public async Task SignedAsync(string name, string ca, string san)
    {
        var request = Path.Combine(Directory, name + ".csr");
        var extensions = Path.Combine(Directory, name + ".ext");
        await File.WriteAllTextAsync(extensions, $"subjectAltName={san}\nbasicConstraints=CA:FALSE\n");
        await RunAsync(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", Key(name), "-out", request, "-subj", "/CN=" + name]);
        await RunAsync(["x509", "-req", "-in", request, "-CA", Cert(ca), "-CAkey", Key(ca), "-CAcreateserial",
            "-out", Cert(name), "-days", "2", "-extfile", extensions]);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static async Task RunAsync(string[] args) =>
        await Cli.Wrap("openssl").WithArguments(args).WithStandardErrorPipe(PipeTarget.Null).ExecuteAsync();
}
