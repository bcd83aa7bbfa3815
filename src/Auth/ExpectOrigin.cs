using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Http;
using Websockify.Logging;

namespace Websockify.Auth;

/// <summary>
/// Upstream's <c>ExpectOrigin</c>: the browser's <c>Origin</c> must be one of the listed ones, else 403.
/// This is the guard against cross-site WebSocket hijacking: a browser sends a page's cookies and Basic
/// credentials with a WebSocket from any site, and only the Origin tells who opened it. Old clients
/// (protocol versions 7 and 8) send <c>Sec-WebSocket-Origin</c> instead, which counts the same.
/// Origins compare without regard to case (scheme and host are case-insensitive).
/// </summary>
internal sealed class ExpectOrigin(IReadOnlyList<string> origins, ILogger logger) : IConnectionAuthenticator
{
    private static readonly HttpRejection Refusal = new(403, "Invalid Origin");

    private readonly string _expected = string.Join(", ", origins);

    public static Func<ILogger, IConnectionAuthenticator> Parse(AuthSourceArguments arguments)
    {
        var origins = AuthPlugins.SpaceSeparated("ExpectOrigin", arguments.Source, "the allowed origins (e.g. https://desk.example.com)");
        return logger => new ExpectOrigin(origins, logger);
    }

    public ValueTask<HttpRejection?> AuthenticateAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        var origin = request.Get("Origin") ?? request.Get("Sec-WebSocket-Origin");
        if (origin is not null && origins.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult<HttpRejection?>(null);
        }

        AuthLog.Refused(logger, connection.LogName, "ExpectOrigin",
            $"Invalid Origin Header: Expected one of [{_expected}], got '{(origin is null ? "" : LogEscaper.Escape(origin))}'");
        return ValueTask.FromResult<HttpRejection?>(Refusal);
    }
}
