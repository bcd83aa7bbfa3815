using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Connections;

/// <summary>
/// The verified client certificate as auth plugins and logs need it, computed once per connection.
/// The strings come from a certificate the client chose, so each is cut to a bound.
/// </summary>
/// <param name="Subject">The subject DN as .NET writes it (<c>CN=alice, O=Example</c>), at most <see cref="MaxLength"/> characters.</param>
/// <param name="CommonName">The subject's last CN (upstream's <c>SSL_CLIENT_S_DN_CN</c> takes the last one too); null when there is none.</param>
/// <param name="Sha256Fingerprint">SHA-256 of the DER certificate, upper-case hex pairs joined by colons (openssl's <c>-fingerprint</c> form).</param>
internal sealed record ClientCertificateFacts(string Subject, string? CommonName, string Sha256Fingerprint)
{
    public const int MaxLength = 256;

    private const string CommonNameOid = "2.5.4.3";

    public static ClientCertificateFacts From(X509Certificate2 certificate)
    {
        string? commonName = null;
        // DER order (reversed: false): the last CN there is the one upstream's subject dict keeps.
        foreach (var rdn in certificate.SubjectName.EnumerateRelativeDistinguishedNames(reversed: false))
        {
            if (!rdn.HasMultipleElements && rdn.GetSingleElementType().Value == CommonNameOid)
            {
                commonName = rdn.GetSingleElementValue();
            }
        }

        var hash = SHA256.HashData(certificate.RawDataMemory.Span);
        return new ClientCertificateFacts(
            Bound(certificate.Subject)!, Bound(commonName), string.Join(':', hash.Select(b => b.ToString("X2", CultureInfo.InvariantCulture))));
    }

    private static string? Bound(string? text) => text is { Length: > MaxLength } ? text[..MaxLength] : text;
}
