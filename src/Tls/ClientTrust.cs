using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Tls;

/// <summary>
/// The CAs of <c>--cafile</c>: self-signed certificates become the trust anchors, the others are offered
/// as intermediates for building a client's chain (a client often sends only its own certificate).
/// </summary>
internal sealed class ClientTrust
{
    /// <summary>A CA bundle is a few hundred certificates at most; a file far beyond that is a mistake.</summary>
    public const long MaxFileBytes = 4 * 1024 * 1024;

    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2", "Client Authentication");

    private ClientTrust(string path, X509Certificate2Collection roots, X509Certificate2Collection intermediates)
    {
        Path = path;
        Roots = roots;
        Intermediates = intermediates;
    }

    public string Path { get; }

    public X509Certificate2Collection Roots { get; }

    public X509Certificate2Collection Intermediates { get; }

    /// <exception cref="TlsConfigurationException">The file is missing, unreadable, too large, or holds no CA certificate.</exception>
    public static ClientTrust Load(string path)
    {
        X509Certificate2Collection all;
        try
        {
            if (Directory.Exists(path))
            {
                throw new TlsConfigurationException($"cannot load CA file '{path}': it is a directory");
            }

            if (new FileInfo(path).Length > MaxFileBytes)
            {
                throw new TlsConfigurationException($"cannot load CA file '{path}': larger than {MaxFileBytes / (1024 * 1024)} MiB");
            }

            all = [];
            all.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TlsConfigurationException($"cannot load CA file '{path}': {ex.Message}");
        }

        return FromCertificates(path, all);
    }

    public static ClientTrust FromCertificates(string path, X509Certificate2Collection certificates)
    {
        var roots = new X509Certificate2Collection();
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in certificates)
        {
            (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData) ? roots : intermediates).Add(certificate);
        }

        if (roots.Count == 0)
        {
            throw new TlsConfigurationException(certificates.Count == 0
                ? $"cannot load CA file '{path}': no PEM certificate in it"
                : $"cannot load CA file '{path}': no self-signed (root) certificate in it");
        }

        return new ClientTrust(path, roots, intermediates);
    }

    /// <summary>
    /// How SslStream builds a client's chain: to these roots only (<c>--cafile</c>), or to the system's
    /// store when <paramref name="trust"/> is null (upstream's <c>set_default_verify_paths()</c>). No
    /// revocation check, as OpenSSL does not by default; the chain must allow client authentication.
    /// </summary>
    public static X509ChainPolicy ChainPolicy(ClientTrust? trust)
    {
        var policy = new X509ChainPolicy
        {
            RevocationMode = X509RevocationMode.NoCheck,
            TrustMode = trust is null ? X509ChainTrustMode.System : X509ChainTrustMode.CustomRootTrust,
        };
        policy.ApplicationPolicy.Add(ClientAuthentication);
        if (trust is not null)
        {
            policy.CustomTrustStore.AddRange(trust.Roots);
            policy.ExtraStore.AddRange(trust.Intermediates);
        }

        return policy;
    }
}
