using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Websockify.Connections;

/// <summary>What the TLS handshake settled: for logs, and for auth that looks at the client certificate.</summary>
internal sealed record TlsFacts(SslProtocols Protocol, TlsCipherSuite CipherSuite, X509Certificate2? ClientCertificate);
