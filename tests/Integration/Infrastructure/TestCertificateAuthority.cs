using System.Security.Cryptography.X509Certificates;
using CliWrap;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A throwaway CA made by the real openssl, which issues client certificates for one test.</summary>
internal sealed class TestCertificateAuthority : IDisposable
{
    private TestCertificateAuthority(string directory, string name)
    {
        Directory = directory;
        Name = name;
    }

    public string Directory { get; }

    public string Name { get; }

    public string CertPath => Path.Combine(Directory, "ca.pem");

    private string KeyPath => Path.Combine(Directory, "ca.key");

    public static async Task<TestCertificateAuthority> CreateAsync(string name)
    {
        var authority = new TestCertificateAuthority(System.IO.Directory.CreateTempSubdirectory("websockify-ca-").FullName, name);
        await OpenSsl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", authority.KeyPath, "-out", authority.CertPath, "-days", "2", "-subj", $"/CN={name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        return authority;
    }

    /// <summary>A client certificate for <paramref name="commonName"/>, signed by this CA, with its key.</summary>
    public async Task<X509Certificate2> IssueClientAsync(string commonName)
    {
        var stem = Path.Combine(Directory, commonName);
        await OpenSsl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", stem + ".key", "-out", stem + ".csr", "-subj", $"/O=Websockify tests/CN={commonName}");
        await File.WriteAllTextAsync(stem + ".ext", "extendedKeyUsage=clientAuth\n");
        await OpenSsl("x509", "-req", "-in", stem + ".csr", "-CA", CertPath, "-CAkey", KeyPath, "-CAcreateserial",
            "-out", stem + ".pem", "-days", "2", "-extfile", stem + ".ext");

        // The key is imported into a PKCS#12 form so SslStream can use it as a client credential on Linux.
        using var pem = X509Certificate2.CreateFromPemFile(stem + ".pem", stem + ".key");
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static async Task OpenSsl(params string[] arguments) =>
        await Cli.Wrap("openssl").WithArguments(arguments).WithStandardErrorPipe(PipeTarget.Null).ExecuteAsync();
}
