using Microsoft.Extensions.Logging;

namespace Websockify.Listening;

internal static partial class ListeningLog
{
    [LoggerMessage(100, LogLevel.Warning, "accept failed: {Error}; retrying in {DelayMs} ms", EventName = "AcceptFailed")]
    public static partial void AcceptFailed(ILogger logger, string error, int delayMs);

    [LoggerMessage(101, LogLevel.Information, "{Client}: SSL connection but '{CertPath}' not found", EventName = "TlsWithoutCertificate")]
    public static partial void TlsWithoutCertificate(ILogger logger, string client, string certPath);

    [LoggerMessage(102, LogLevel.Information, "{Client}: non-SSL connection received but disallowed", EventName = "PlainRefused")]
    public static partial void PlainRefused(ILogger logger, string client);

    [LoggerMessage(103, LogLevel.Debug, "{Client}: {Kind} WebSocket connection", EventName = "ConnectionKind")]
    public static partial void ConnectionKind(ILogger logger, string client, string kind);

    [LoggerMessage(104, LogLevel.Information, "{Client}: TLS handshake failed: {Reason}", EventName = "TlsHandshakeFailed")]
    public static partial void TlsHandshakeFailed(ILogger logger, string client, string reason);

    [LoggerMessage(105, LogLevel.Information, "{Client}: handshake not completed within {Seconds} s, closing", EventName = "HandshakeTimeout")]
    public static partial void HandshakeTimeout(ILogger logger, string client, double seconds);

    [LoggerMessage(106, LogLevel.Debug, "{Client}: connection closed before a complete request", EventName = "ClosedBeforeRequest")]
    public static partial void ClosedBeforeRequest(ILogger logger, string client);

    [LoggerMessage(107, LogLevel.Information, "Loaded certificate '{Path}': {Subject}, valid until {NotAfter:yyyy-MM-dd}", EventName = "CertificateLoaded")]
    public static partial void CertificateLoaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(108, LogLevel.Debug, "{Client}: connection failed during handshake: {Reason}", EventName = "HandshakeIoError")]
    public static partial void HandshakeIoError(ILogger logger, string client, string reason);

    [LoggerMessage(109, LogLevel.Warning, "Reloading '{Path}' failed: {Reason}", EventName = "ReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, string path, string reason);
}
