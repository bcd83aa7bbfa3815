using Microsoft.Extensions.Logging;

namespace Websockify.Tls;

internal static partial class TlsLog
{
    [LoggerMessage(101, LogLevel.Information, "{Client}: SSL connection but '{CertPath}' not found", EventName = "TlsWithoutCertificate")]
    public static partial void TlsWithoutCertificate(ILogger logger, string client, string certPath);

    [LoggerMessage(102, LogLevel.Information, "{Client}: non-SSL connection received but disallowed", EventName = "PlainRefused")]
    public static partial void PlainRefused(ILogger logger, string client);

    [LoggerMessage(103, LogLevel.Debug, "{Client}: {Kind} WebSocket connection", EventName = "ConnectionKind")]
    public static partial void ConnectionKind(ILogger logger, string client, string kind);

    [LoggerMessage(104, LogLevel.Information, "{Client}: TLS handshake failed: {Reason}", EventName = "TlsHandshakeFailed")]
    public static partial void TlsHandshakeFailed(ILogger logger, string client, string reason);

    [LoggerMessage(107, LogLevel.Information, "Loaded certificate '{Path}': {Subject}, valid until {NotAfter:yyyy-MM-dd}", EventName = "CertificateLoaded")]
    public static partial void CertificateLoaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(109, LogLevel.Warning, "Reloading '{Path}' failed: {Reason}", EventName = "ReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, string path, string reason);

    [LoggerMessage(110, LogLevel.Information, "Reload: no certificate in use (no --cert, and no self.pem at start-up); nothing to reload", EventName = "NothingToReload")]
    public static partial void NothingToReload(ILogger logger);

    [LoggerMessage(111, LogLevel.Information, "Loaded CA file '{Path}' for --verify-client: {Roots} root(s), {Intermediates} intermediate(s)", EventName = "CaFileLoaded")]
    public static partial void CaFileLoaded(ILogger logger, string path, int roots, int intermediates);

    [LoggerMessage(112, LogLevel.Warning, "--cafile '{Path}' is ignored without --verify-client", EventName = "CaFileWithoutVerifyClient")]
    public static partial void CaFileWithoutVerifyClient(ILogger logger, string path);

    [LoggerMessage(113, LogLevel.Warning, "--verify-client checks TLS clients only: plain ws:// clients on this port are not asked for a certificate (add --ssl-only to refuse them)", EventName = "PlainClientsNotVerified")]
    public static partial void PlainClientsNotVerified(ILogger logger);

    [LoggerMessage(114, LogLevel.Information, "{Client}: client certificate verified: CN={CommonName}, subject '{Subject}', SHA-256 {Fingerprint}", EventName = "ClientCertificateVerified")]
    public static partial void ClientCertificateVerified(ILogger logger, string client, string commonName, string subject, string fingerprint);
}
