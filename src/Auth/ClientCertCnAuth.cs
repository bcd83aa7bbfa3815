using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Connections;
using Websockify.Http;
using Websockify.Logging;

namespace Websockify.Auth;

/// <summary>
/// Upstream's <c>ClientCertCNAuth</c>: the common name of the client certificate that
/// <c>--verify-client</c> checked must be one of the listed ones, else 403. The decision is taken from
/// the TLS handshake's result only; request headers play no part, so a client that sends
/// <c>SSL_CLIENT_S_DN_CN</c> itself (over ws:// too, before upstream 0.13) gains nothing.
/// </summary>
internal sealed class ClientCertCnAuth(IReadOnlyList<string> commonNames, ILogger logger) : IConnectionAuthenticator
{
    private static readonly HttpRejection Refusal = new(403, "Forbidden");

    public static Func<ILogger, IConnectionAuthenticator> Parse(AuthSourceArguments arguments)
    {
        if (!arguments.VerifyClient)
        {
            throw new CliUsageException("--auth-plugin ClientCertCNAuth needs --verify-client (without it no client certificate is checked, and every request would be refused)");
        }

        var names = AuthPlugins.SpaceSeparated("ClientCertCNAuth", arguments.Source, "the allowed certificate common names");
        return logger => new ClientCertCnAuth(names, logger);
    }

    public ValueTask<HttpRejection?> AuthenticateAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        var commonName = connection.Tls?.VerifiedClient?.CommonName;
        if (commonName is not null && commonNames.Contains(commonName, StringComparer.Ordinal))
        {
            return ValueTask.FromResult<HttpRejection?>(null);
        }

        AuthLog.Refused(logger, connection.LogName, "ClientCertCNAuth", commonName is null
            ? "no verified client certificate"
            : $"certificate CN '{LogEscaper.Escape(commonName)}' is not allowed");
        return ValueTask.FromResult<HttpRejection?>(Refusal);
    }
}
