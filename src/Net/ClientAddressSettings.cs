namespace Websockify.Net;

/// <summary>
/// <c>--proxy-protocol</c> and <c>--trusted-proxy</c>: whether connections from trusted balancers open
/// with a PROXY header, and who is trusted (for that and for <c>X-Forwarded-For</c>).
/// </summary>
internal sealed record ClientAddressSettings(bool ProxyProtocol, TrustedProxies Trusted)
{
    public static ClientAddressSettings Direct { get; } = new(false, TrustedProxies.None);
}
