using System.Runtime.CompilerServices;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Websockify.Connections;

namespace Websockify.Tls;

/// <summary>
/// The first stage: one port serves ws:// and wss://. A ClientHello gets the TLS handshake and the
/// connection's transport becomes the TLS stream; plain bytes go on as they are unless <c>--ssl-only</c>.
/// </summary>
internal sealed class TlsNegotiation(TlsServerContext tls, ILogger logger, Metrics.DaemonMetrics? metrics = null)
{
    /// <summary>False when the connection ends here (closed, refused, handshake failed); the reason is logged.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> NegotiateAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        // Behind a PROXY header the client's first bytes may have been read with it already.
        var kind = Net.PrefixedStream.TryPeekReplayed(connection.Transport, out var first)
            ? FirstByteSniffer.Classify(first)
            : await FirstByteSniffer.SniffAsync(connection.Socket, cancellationToken).ConfigureAwait(false);
        switch (kind)
        {
            case ConnectionKind.Closed:
                Listening.ListeningLog.ClosedBeforeRequest(logger, connection.LogName);
                return false;
            case ConnectionKind.Plain when tls.SslOnly:
                TlsLog.PlainRefused(logger, connection.LogName);
                return false;
            case ConnectionKind.Plain:
                TlsLog.ConnectionKind(logger, connection.LogName, "Plain non-SSL (ws://)");
                return true;
        }

        if (tls.Options is not { } options)
        {
            TlsLog.TlsWithoutCertificate(logger, connection.LogName, tls.CertPath);
            return false;
        }

        // Only --verify-client checks the client certificate, and then the verdict keeps why one was refused.
        var verdict = tls.VerifyClient ? new ClientCertificateVerdict() : null;
        var ssl = new SslStream(connection.Transport, leaveInnerStreamOpen: false, verdict is null ? null : verdict.Check);
        connection.Transport = ssl;
        try
        {
            await ssl.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            TlsLog.TlsHandshakeFailed(logger, connection.LogName, verdict?.Refusal is { } refusal ? refusal : ex.Message);
            metrics?.TlsHandshakeFailed();
            return false;
        }

        var clientCertificate = ssl.RemoteCertificate as X509Certificate2;
        var verified = verdict is not null && clientCertificate is not null ? ClientCertificateFacts.From(clientCertificate) : null;
        connection.Tls = new TlsFacts(ssl.SslProtocol, ssl.NegotiatedCipherSuite, clientCertificate, verified);
        if (verified is not null)
        {
            TlsLog.ClientCertificateVerified(logger, connection.LogName, verified.CommonName ?? "(none)", verified.Subject, verified.Sha256Fingerprint);
        }

        TlsLog.ConnectionKind(logger, connection.LogName, "SSL/TLS (wss://)");
        return true;
    }
}
