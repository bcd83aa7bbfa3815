using Websockify.Connections;

namespace Websockify.Http;

/// <summary>What a plain HTTP answer was, for the access log, and whether the connection may carry another request.</summary>
internal readonly record struct HttpAnswer(int Status, bool KeepAlive);

/// <summary>
/// Answers a request that is not a WebSocket upgrade, writing to <see cref="ConnectionContext.Transport"/>.
/// Without <c>--web</c> that is always a 405; the static web server plugs in here. A handler that
/// answers with keep-alive gets the connection's next request too.
/// </summary>
internal interface IHttpRequestHandler
{
    Task<HttpAnswer> HandleAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken);
}
