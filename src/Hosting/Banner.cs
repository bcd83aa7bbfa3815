using Websockify.Tls;

namespace Websockify.Hosting;

/// <summary>Upstream's start-up banner ("WebSocket server settings: ..."), with the address actually bound.</summary>
internal static class Banner
{
    public static IEnumerable<string> Lines(IReadOnlyList<string> listenDescriptions, string source, TlsServerContext tls, string targetDescription, bool daemon, string? webRoot = null, string? record = null)
    {
        yield return "WebSocket server settings:";
        foreach (var listen in listenDescriptions)
        {
            yield return $"  - {listen}";
        }
        if (webRoot is not null)
        {
            yield return $"  - Web server. Web root: {webRoot}";
        }

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

            if (tls.ClientTrustDescription is { } trust)
            {
                yield return $"  - Verify client certificates against {trust}";
            }
        }

        if (daemon)
        {
            yield return "  - Backgrounding (daemon)";
        }

        if (record is not null)
        {
            yield return $"  - Recording to '{record}.*'";
        }

        yield return $"  - proxying from {source} to {targetDescription}";
    }
}
