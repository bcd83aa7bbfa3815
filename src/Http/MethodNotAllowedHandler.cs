using Websockify.Connections;

namespace Websockify.Http;

/// <summary>Upstream's answer to plain HTTP when no web root is configured: 405.</summary>
internal sealed class MethodNotAllowedHandler : IHttpRequestHandler
{
    private static readonly HttpRejection Answer =
        new(405, "this server only accepts WebSocket connections (no --web directory configured)", [new("Allow", "GET")]);

    public async Task<HttpAnswer> HandleAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        await HttpResponseWriter.WriteRejectionAsync(connection.Transport, Answer, cancellationToken).ConfigureAwait(false);
        return new HttpAnswer(Answer.Status, KeepAlive: false);
    }
}
