using Websockify.Http;

namespace Websockify.Web;

/// <summary>
/// Whether the connection may carry another request after this answer: HTTP/1.1 without
/// <c>Connection: close</c> (HTTP/1.0 always closes), below <see cref="Limits.MaxRequestsPerConnection"/>,
/// and no request body, which the web server never reads and which must not be taken for the next request.
/// </summary>
internal static class ConnectionReuse
{
    public static bool Allows(HttpRequest request, int servedIncludingThis) =>
        request.Version == "HTTP/1.1"
        && !request.HasToken("Connection", "close")
        && servedIncludingThis < Limits.MaxRequestsPerConnection
        && !HasBody(request);

    private static bool HasBody(HttpRequest request) =>
        request.Get("Transfer-Encoding") is not null || request.Get("Content-Length") is { } length && length.Trim() != "0";
}
