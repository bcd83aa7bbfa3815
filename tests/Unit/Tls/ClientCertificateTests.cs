using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Websockify.Cli;
using Websockify.Connections;
using Websockify.Tls;

namespace Websockify.Tests.Unit.Tls;

/// <summary>The pure parts of --verify-client: the verdict, the facts kept, the CA file's split, the options.</summary>
public sealed class ClientCertificateTests
{
    private static X509Certificate2 SelfSigned(string subject) => SelfSigned(new X500DistinguishedName(subject));

    private static X509Certificate2 SelfSigned(X500DistinguishedName subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static X509Certificate2 IssuedBy(X509Certificate2 issuer, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.Create(issuer, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddHours(1), [1, 2, 3]);
    }

    [Fact]
    public void No_certificate_is_refused_whatever_the_errors_say()
    {
        Assert.Equal("the client sent no certificate", ClientCertificateVerdict.RefusalFor(null, null, SslPolicyErrors.None));
        Assert.Equal("the client sent no certificate", ClientCertificateVerdict.RefusalFor(null, null, SslPolicyErrors.RemoteCertificateNotAvailable));
    }

    [Fact]
    public void A_name_mismatch_alone_is_no_reason_to_refuse_a_client()
    {
        using var certificate = SelfSigned("CN=alice");
        Assert.Null(ClientCertificateVerdict.RefusalFor(certificate, null, SslPolicyErrors.None));
        Assert.Null(ClientCertificateVerdict.RefusalFor(certificate, null, SslPolicyErrors.RemoteCertificateNameMismatch));
    }

    [Fact]
    public void A_chain_to_an_untrusted_root_is_refused_naming_the_subject_and_the_chain_status()
    {
        using var trusted = SelfSigned("CN=Trusted CA");
        using var stranger = SelfSigned("CN=Stranger CA");
        using var mallory = IssuedBy(stranger, "CN=mallory");
        using var chain = new X509Chain { ChainPolicy = ClientTrust.ChainPolicy(ClientTrust.FromCertificates("ca.pem", [trusted])) };
        chain.ChainPolicy.ExtraStore.Add(stranger);
        Assert.False(chain.Build(mallory));

        var refusal = ClientCertificateVerdict.RefusalFor(mallory, chain, SslPolicyErrors.RemoteCertificateChainErrors);
        Assert.StartsWith("client certificate 'CN=mallory' not trusted: ", refusal);
        Assert.Contains("UntrustedRoot", refusal);
    }

    [Fact]
    public void The_chain_policy_trusts_only_the_CA_file_and_checks_client_authentication()
    {
        using var trusted = SelfSigned("CN=Trusted CA");
        using var alice = IssuedBy(trusted, "CN=alice");
        var policy = ClientTrust.ChainPolicy(ClientTrust.FromCertificates("ca.pem", [trusted]));
        Assert.Equal(X509ChainTrustMode.CustomRootTrust, policy.TrustMode);
        Assert.Equal(X509RevocationMode.NoCheck, policy.RevocationMode);
        Assert.Contains(policy.ApplicationPolicy.Cast<Oid>(), o => o.Value == "1.3.6.1.5.5.7.3.2");
        using var chain = new X509Chain { ChainPolicy = policy };
        Assert.True(chain.Build(alice), string.Join(", ", chain.ChainStatus.Select(s => s.Status)));

        var system = ClientTrust.ChainPolicy(null);
        Assert.Equal(X509ChainTrustMode.System, system.TrustMode);
        Assert.Empty(system.CustomTrustStore);
    }

    [Fact]
    public void A_CA_file_splits_into_roots_and_intermediates_and_needs_a_root()
    {
        using var root = SelfSigned("CN=Root");
        using var intermediate = IssuedBy(root, "CN=Intermediate");
        var trust = ClientTrust.FromCertificates("ca.pem", [intermediate, root]);
        Assert.Equal([root], trust.Roots.Cast<X509Certificate2>());
        Assert.Equal([intermediate], trust.Intermediates.Cast<X509Certificate2>());

        Assert.Contains("no self-signed (root) certificate", Assert.Throws<TlsConfigurationException>(() => ClientTrust.FromCertificates("ca.pem", [intermediate])).Message);
        Assert.Contains("no PEM certificate", Assert.Throws<TlsConfigurationException>(() => ClientTrust.FromCertificates("ca.pem", [])).Message);
    }

    [Fact]
    public void Facts_name_the_last_CN_and_the_SHA256_fingerprint_in_openssl_form()
    {
        // Upstream's subject dict keeps the CN last in DER order. .NET's Subject text is DER reversed (openssl's
        // -subj /O=Test/CN=good reads "CN=good, O=Test"), so that CN is the first one written there.
        var name = new X500DistinguishedNameBuilder();
        name.AddCommonName("first");
        name.AddOrganizationName("Example");
        name.AddCommonName("second");
        using var certificate = SelfSigned(name.Build());
        var facts = ClientCertificateFacts.From(certificate);

        Assert.Equal("CN=first, O=Example, CN=second", facts.Subject);
        Assert.Equal("first", facts.CommonName);
        var hex = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        Assert.Equal(string.Join(':', hex.Chunk(2).Select(p => new string(p))), facts.Sha256Fingerprint);
        Assert.Equal(95, facts.Sha256Fingerprint.Length);
    }

    [Fact]
    public void Facts_without_a_CN_and_with_a_huge_subject_stay_bounded()
    {
        using var noCn = SelfSigned("O=Example");
        Assert.Null(ClientCertificateFacts.From(noCn).CommonName);

        using var huge = SelfSigned($"CN={new string('a', 1000)}, O={new string('b', 1000)}");
        var facts = ClientCertificateFacts.From(huge);
        Assert.Equal(ClientCertificateFacts.MaxLength, facts.Subject.Length);
        Assert.Equal(ClientCertificateFacts.MaxLength, facts.CommonName!.Length);
    }

    [Fact]
    public void Verify_client_and_cafile_reach_the_tls_settings_with_the_path_made_absolute()
    {
        var tls = OptionsBuilder.Build(ArgumentTokenizer.Tokenize(["--verify-client", "--cafile", "ca/bundle.pem", "6080", "h:1"]), "/work/dir", _ => false).Tls;
        Assert.True(tls.VerifyClient);
        Assert.Equal("/work/dir/ca/bundle.pem", tls.CaFile);

        var plain = OptionsBuilder.Build(ArgumentTokenizer.Tokenize(["6080", "h:1"]), "/work/dir", _ => false).Tls;
        Assert.False(plain.VerifyClient);
        Assert.Null(plain.CaFile);
    }
}
