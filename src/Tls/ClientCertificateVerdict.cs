using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Tls;

/// <summary>
/// One TLS connection's check of the client certificate under <c>--verify-client</c>. SslStream has
/// already built the chain against the trusted CAs (the options' chain policy); this decides, and keeps
/// the reason so the log says why a client was refused rather than .NET's generic "rejected by callback".
/// </summary>
internal sealed class ClientCertificateVerdict
{
    /// <summary>Chain problems named in a refusal; a chain has few, but its length is the client's choice.</summary>
    private const int MaxStatusesNamed = 4;

    /// <summary>Null while nothing was refused.</summary>
    public string? Refusal { get; private set; }

    public bool Check(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        Refusal = RefusalFor(certificate, chain, errors);
        return Refusal is null;
    }

    /// <summary>Null when the certificate is accepted, else why not.</summary>
    public static string? RefusalFor(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the client sent no certificate";
        }

        // A client certificate names its owner, not this server: a name mismatch is no reason to refuse.
        if ((errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None)
        {
            return null;
        }

        var statuses = chain?.ChainStatus
            .Where(s => s.Status != X509ChainStatusFlags.NoError)
            .Take(MaxStatusesNamed)
            .Select(s => $"{s.Status} ({s.StatusInformation.Trim()})")
            .ToList();
        var why = statuses is { Count: > 0 } ? string.Join(", ", statuses) : errors.ToString();
        return $"client certificate '{certificate.Subject}' not trusted: {why}";
    }
}
