namespace Websockify.Http;

/// <summary>Bounds on what a client may send before the upgrade; every one protects the daemon's memory or time.</summary>
internal static class HttpLimits
{
    /// <summary>Request line plus headers. Browsers send well under 2 KiB for an upgrade.</summary>
    public const int MaxHeaderBytes = 16 * 1024;

    public const int MaxHeaderCount = 64;

    /// <summary>From accept to the 101: first byte, TLS handshake and request headers together.</summary>
    public static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
}
