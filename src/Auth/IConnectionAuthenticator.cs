using Websockify.Connections;
using Websockify.Http;

namespace Websockify.Auth;

/// <summary>
/// Decides whether a request may go on, before the web handler (with <c>--web-auth</c>) and before
/// target resolution: upstream's auth plugins (Basic auth, expected Origin, client certificate CN) and
/// any later one plug in here. It sees the whole context: peer, TLS facts with the client certificate,
/// the parsed request. A refusal carries its own status and headers (401 with WWW-Authenticate, 403).
/// </summary>
internal interface IConnectionAuthenticator
{
    /// <summary>Null allows the request; a rejection refuses it and the connection closes after the answer.</summary>
    ValueTask<HttpRejection?> AuthenticateAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken);
}
