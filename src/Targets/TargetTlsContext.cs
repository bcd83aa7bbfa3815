using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Websockify.Targets;

/// <summary>
/// The client side of <c>--ssl-target</c>, built once at start-up. SNI and the host name check use the
/// target's host as given; the chain is checked against the system store, or only against the
/// certificates of <c>--ssl-target-cafile</c> (a self-signed certificate is then its own root).
/// </summary>
internal sealed class TargetTlsContext
{
    private readonly X509Certificate2Collection? _trusted;

    private TargetTlsContext(X509Certificate2Collection? trusted, bool insecure)
    {
        _trusted = trusted;
        Insecure = insecure;
    }

    public bool Insecure { get; }

    /// <exception cref="TargetTlsConfigurationException">The CA file is missing, unreadable or holds no certificate.</exception>
    public static TargetTlsContext Load(TargetTlsSettings settings, ILogger? logger = null)
    {
        var trusted = settings.CaFile is { } path ? LoadCaFile(path) : null;
        if (logger is not null)
        {
            if (settings.Insecure)
            {
                TargetLog.TargetNotVerified(logger);
            }

            if (trusted is not null)
            {
                TargetLog.TargetCaLoaded(logger, settings.CaFile!, trusted.Count);
            }
        }

        return new TargetTlsContext(trusted, settings.Insecure);
    }

    /// <summary>Options for one handshake; <paramref name="check"/> decides on the certificate and keeps the reason.</summary>
    public SslClientAuthenticationOptions CreateOptions(string host, TargetCertificateCheck check)
    {
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            EnabledSslProtocols = SslProtocols.None, // the system's choice, as Python's default context
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = check.Validate,
        };

        if (_trusted is not null)
        {
            // A policy per handshake: the chain builder is handed this object, so it is not shared between sessions.
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(_trusted);
            options.CertificateChainPolicy = policy;
        }

        return options;
    }

    private static X509Certificate2Collection LoadCaFile(string path)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new TargetTlsConfigurationException($"--ssl-target-cafile {path}: {ex.Message}");
        }

        return certificates.Count > 0
            ? certificates
            : throw new TargetTlsConfigurationException($"--ssl-target-cafile {path}: no PEM certificate (BEGIN CERTIFICATE) in the file");
    }
}
