using System.Net.Security;
using System.Security.Authentication;

namespace Websockify.Tls;

/// <summary>
/// Where the certificate comes from and how TLS is negotiated. The certificate file is optional unless
/// <see cref="SslOnly"/>: without it, TLS clients are refused and plain ones served, as upstream does.
/// </summary>
internal sealed record TlsSettings
{
    public required string CertPath { get; init; }

    /// <summary>
    /// False when <see cref="CertPath"/> is upstream's default <c>self.pem</c>: that one is used only if it
    /// exists at start-up, so a reload never goes looking for it.
    /// </summary>
    public bool CertGiven { get; init; } = true;

    public string? KeyPath { get; init; }

    public string? KeyPassword { get; init; }

    public bool SslOnly { get; init; }

    public SslProtocols MinimumProtocols { get; init; } = SslProtocols.None;

    public IReadOnlyList<TlsCipherSuite>? CipherSuites { get; init; }

    /// <summary><c>--verify-client</c>: a TLS client must present a certificate that chains to a trusted CA.</summary>
    public bool VerifyClient { get; init; }

    /// <summary>
    /// <c>--cafile</c>: the CAs trusted for client certificates (PEM, concatenated). Null: the system's
    /// trust store, as upstream's <c>set_default_verify_paths()</c>. Used only with <see cref="VerifyClient"/>.
    /// </summary>
    public string? CaFile { get; init; }
}
