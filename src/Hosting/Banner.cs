using Websockify.Cli;
using Websockify.Listening;

namespace Websockify.Hosting;

/// <summary>Upstream's start-up banner ("WebSocket server settings: ..."), with the address actually bound.</summary>
internal static class Banner
{
    public static IEnumerable<string> Lines(ProxyOptions options, string boundAddress, TlsServerContext tls, string targetDescription)
    {
        yield return "WebSocket server settings:";
        yield return $"  - Listen on {boundAddress}";
        if (tls.Options is null)
        {
            yield return "  - No SSL/TLS support (no cert file)";
        }
        else
        {
            yield return "  - SSL/TLS support";
            if (tls.SslOnly)
            {
                yield return "  - Deny non-SSL/TLS connections";
            }
        }

        yield return $"  - proxying from {boundAddress} to {targetDescription}";
    }
}
