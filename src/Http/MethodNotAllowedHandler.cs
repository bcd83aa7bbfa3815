namespace Websockify.Http;

/// <summary>Upstream's answer to plain HTTP when no web root is configured: 405.</summary>
internal sealed class MethodNotAllowedHandler : IHttpRequestHandler
{
    public async Task<int> HandleAsync(HttpRequest request, Stream stream, CancellationToken cancellationToken)
    {
        await HttpResponseWriter.WriteErrorAsync(
            stream,
            405,
            "this server only accepts WebSocket connections (no --web directory configured)",
            [new("Allow", "GET")],
            cancellationToken).ConfigureAwait(false);
        return 405;
    }
}
