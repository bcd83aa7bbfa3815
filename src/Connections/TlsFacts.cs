using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Connections;

/// <summary>What the TLS handshake settled: for logs, and for auth that looks at the client certificate.</summary>
/// <param name="ClientCertificate">What the client presented, if anything.</param>
/// <param name="VerifiedClient">Set only when <c>--verify-client</c> checked <paramref name="ClientCertificate"/> and accepted it.</param>
internal sealed record TlsFacts(SslProtocols Protocol, TlsCipherSuite CipherSuite, X509Certificate2? ClientCertificate, ClientCertificateFacts? VerifiedClient = null);
