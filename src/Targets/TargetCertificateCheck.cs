using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Targets;

/// <summary>
/// One handshake's certificate decision. It keeps why a certificate was refused: SslStream itself only
/// says that the callback said no, and the reason belongs in the log.
/// </summary>
internal sealed class TargetCertificateCheck(bool insecure)
{
    public string? Failure { get; private set; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (insecure || errors == SslPolicyErrors.None)
        {
            return true;
        }

        Failure = Describe(certificate, chain, errors);
        return false;
    }

    private static string Describe(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var reasons = new List<string>(3);
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            reasons.Add("the target sent no certificate");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            reasons.Add("the certificate does not match the target host name");
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var statuses = chain?.ChainStatus
                .Where(s => s.Status != X509ChainStatusFlags.NoError)
                .Select(s => $"{s.Status}: {s.StatusInformation.Trim()}")
                .Distinct()
                .Take(4) ?? [];
            var detail = string.Join("; ", statuses);
            reasons.Add(detail.Length == 0 ? "the certificate chain is not trusted" : "the certificate chain is not trusted (" + detail + ")");
        }

        var subject = certificate?.Subject is { Length: > 0 } name ? $" [{name}]" : "";
        return "certificate verification failed: " + string.Join(", ", reasons) + subject;
    }
}
