using Websockify.Connections;
using Websockify.Http;

namespace Websockify.Auth;

/// <summary>No <c>--auth-plugin</c>: every request may go on, as upstream without a plugin.</summary>
internal sealed class AllowAll : IConnectionAuthenticator
{
    public static AllowAll Instance { get; } = new();

    public ValueTask<HttpRejection?> AuthenticateAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<HttpRejection?>(null);
}
