using Microsoft.Extensions.Logging;

namespace Websockify.Net;

/// <summary>Who the client is behind a balancer: PROXY headers and X-Forwarded-For.</summary>
internal static partial class NetLog
{
    [LoggerMessage(1400, LogLevel.Information, "{Client}: via balancer {Proxy} (PROXY header)", EventName = "ProxiedClient")]
    public static partial void ProxiedClient(ILogger logger, string client, string proxy);

    [LoggerMessage(1401, LogLevel.Debug, "{Client}: PROXY header from balancer {Proxy} names no client (LOCAL or UNKNOWN: its own connection)", EventName = "ProxyHeaderWithoutClient")]
    public static partial void ProxyHeaderWithoutClient(ILogger logger, string client, string proxy);

    [LoggerMessage(1402, LogLevel.Warning, "{Client}: refused: {Reason} (a balancer in --trusted-proxy must send a PROXY header with --proxy-protocol)", EventName = "ProxyHeaderInvalid")]
    public static partial void ProxyHeaderInvalid(ILogger logger, string client, string reason);

    [LoggerMessage(1403, LogLevel.Warning, "{Client}: refused: sent a PROXY header but is not in --trusted-proxy", EventName = "ProxyHeaderUntrusted")]
    public static partial void ProxyHeaderUntrusted(ILogger logger, string client);

    [LoggerMessage(1404, LogLevel.Information, "{Client}: via {Proxy} (X-Forwarded-For)", EventName = "ForwardedClient")]
    public static partial void ForwardedClient(ILogger logger, string client, string proxy);

    [LoggerMessage(1405, LogLevel.Warning, "{Client}: X-Forwarded-For from a trusted proxy names no address we can read; the proxy's own address stands", EventName = "ForwardedForUnusable")]
    public static partial void ForwardedForUnusable(ILogger logger, string client);

    [LoggerMessage(1406, LogLevel.Information, "Clients behind balancers: {What} from --trusted-proxy {Trusted}", EventName = "TrustedProxies")]
    public static partial void TrustedProxies(ILogger logger, string what, string trusted);
}
