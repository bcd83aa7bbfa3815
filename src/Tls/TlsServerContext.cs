using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Websockify.Tls;

/// <summary>The certificate could not be used; start-up fails with this message (exit status 1).</summary>
internal sealed class TlsConfigurationException(string message) : Exception(message);

/// <summary>
/// The server side of TLS: the certificate chain from <c>--cert</c>/<c>--key</c>, the protocol policy, and
/// with <c>--verify-client</c> the CAs client certificates must chain to (<c>--cafile</c>, reloaded with the certificate).
/// Built once here; the options object is swapped atomically so a reload never disturbs open sessions.
/// </summary>
internal sealed class TlsServerContext : Hosting.IReloadable
{
    private readonly TlsSettings _settings;
    private SslServerAuthenticationOptions? _options;

    private TlsServerContext(TlsSettings settings, SslServerAuthenticationOptions? options)
    {
        _settings = settings;
        _options = options;
    }

    public string CertPath => _settings.CertPath;

    public string ReloadName => "the TLS certificate";

    public bool SslOnly => _settings.SslOnly;

    /// <summary><c>--verify-client</c>: every TLS handshake checks the client's certificate (<see cref="ClientCertificateVerdict"/>).</summary>
    public bool VerifyClient => _settings.VerifyClient;

    /// <summary>For the banner: where trusted client CAs come from, or null without <c>--verify-client</c>.</summary>
    public string? ClientTrustDescription => !_settings.VerifyClient ? null
        : _settings.CaFile is { } caFile ? $"CAs from {caFile}" : "the system's trusted CAs";

    /// <summary>Null when there is no certificate file: TLS clients are then refused.</summary>
    public SslServerAuthenticationOptions? Options => Volatile.Read(ref _options);

    /// <summary>
    /// SIGHUP: read the certificate files again. New handshakes use the new certificate; open sessions
    /// keep theirs. A bad new certificate keeps the old one, and says why.
    /// </summary>
    public void Reload(ILogger logger)
    {
        if (Options is null && !_settings.CertGiven)
        {
            TlsLog.NothingToReload(logger);
            return;
        }

        if (!File.Exists(_settings.CertPath))
        {
            TlsLog.ReloadFailed(logger, _settings.CertPath, (Directory.Exists(_settings.CertPath) ? "it is a directory" : "file not found") + "; keeping the current certificate");
            return;
        }

        ClientTrust? trust = null;
        if (_settings.VerifyClient && _settings.CaFile is { } caFile)
        {
            try
            {
                trust = ClientTrust.Load(caFile);
            }
            catch (TlsConfigurationException ex)
            {
                TlsLog.ReloadFailed(logger, caFile, ex.Message + "; keeping the current certificate and CAs");
                return;
            }
        }

        try
        {
            var certificate = LoadCertificate(_settings);
            Volatile.Write(ref _options, BuildOptions(_settings, certificate, trust));
            TlsLog.CertificateLoaded(logger, _settings.CertPath, certificate.Subject, certificate.NotAfter);
            if (trust is not null)
            {
                TlsLog.CaFileLoaded(logger, trust.Path, trust.Roots.Count, trust.Intermediates.Count);
            }
        }
        catch (Exception ex)
        {
            // Whatever went wrong (a half-written file, a key that does not match), the current one stays.
            TlsLog.ReloadFailed(logger, _settings.CertPath, ex.Message + "; keeping the current certificate");
        }
    }

    /// <exception cref="TlsConfigurationException">The certificate is there but cannot be used (the message says why).</exception>
    public static TlsServerContext Load(TlsSettings settings, ILogger logger)
    {
        if (Directory.Exists(settings.CertPath))
        {
            throw new TlsConfigurationException($"cannot load certificate '{settings.CertPath}': it is a directory");
        }

        WarnAboutClientVerification(settings, logger);

        // A bad CA file stops start-up even without a certificate: it would otherwise surface at the first reload.
        var trust = settings.VerifyClient && settings.CaFile is { } caFile ? ClientTrust.Load(caFile) : null;
        if (trust is not null)
        {
            TlsLog.CaFileLoaded(logger, trust.Path, trust.Roots.Count, trust.Intermediates.Count);
        }

        if (!File.Exists(settings.CertPath))
        {
            return new TlsServerContext(settings, null);
        }

        var certificate = LoadCertificate(settings);
        TlsLog.CertificateLoaded(logger, settings.CertPath, certificate.Subject, certificate.NotAfter);
        return new TlsServerContext(settings, BuildOptions(settings, certificate, trust));
    }

    private static void WarnAboutClientVerification(TlsSettings settings, ILogger logger)
    {
        if (!settings.VerifyClient)
        {
            if (settings.CaFile is not null)
            {
                TlsLog.CaFileWithoutVerifyClient(logger, settings.CaFile);
            }

            return;
        }

        if (!settings.SslOnly)
        {
            TlsLog.PlainClientsNotVerified(logger);
        }
    }

    private static X509Certificate2 LoadCertificate(TlsSettings settings)
    {
        try
        {
            var keyPath = settings.KeyPath ?? settings.CertPath;
            return settings.KeyPassword is { } password
                ? X509Certificate2.CreateFromEncryptedPemFile(settings.CertPath, password, keyPath)
                : X509Certificate2.CreateFromPemFile(settings.CertPath, keyPath);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new TlsConfigurationException(
                $"cannot load certificate '{settings.CertPath}'{(settings.KeyPath is null ? "" : $" with key '{settings.KeyPath}'")}: {ex.Message}");
        }
    }

    private static SslServerAuthenticationOptions BuildOptions(TlsSettings settings, X509Certificate2 leaf, ClientTrust? trust)
    {
        try
        {
            return BuildOptionsCore(settings, leaf, trust);
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            throw new TlsConfigurationException($"cannot use certificate '{settings.CertPath}': {ex.Message}");
        }
    }

    private static SslServerAuthenticationOptions BuildOptionsCore(TlsSettings settings, X509Certificate2 leaf, ClientTrust? trust)
    {
        // Intermediates in the same PEM file are sent along, as OpenSSL's load_cert_chain does upstream.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPemFile(settings.CertPath);
        var intermediates = new X509Certificate2Collection();
        foreach (var cert in chain)
        {
            if (cert.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(cert);
            }
        }

        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(leaf, intermediates, offline: true),
            EnabledSslProtocols = settings.MinimumProtocols,
            CipherSuitesPolicy = settings.CipherSuites is { } suites ? new CipherSuitesPolicy(suites) : null,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
            ClientCertificateRequired = settings.VerifyClient,
            CertificateChainPolicy = settings.VerifyClient ? ClientTrust.ChainPolicy(trust) : null,

            // Client-initiated renegotiation is a cheap CPU DoS (CVE-2011-1473, upstream #404).
            AllowRenegotiation = false,
        };
    }
}
