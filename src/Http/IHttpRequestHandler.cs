namespace Websockify.Http;

/// <summary>
/// Answers a request that is not a WebSocket upgrade. Without <c>--web</c> that is always a 405;
/// the static web server plugs in here.
/// </summary>
internal interface IHttpRequestHandler
{
    /// <returns>The status code sent, for the access log.</returns>
    Task<int> HandleAsync(HttpRequest request, Stream stream, CancellationToken cancellationToken);
}
