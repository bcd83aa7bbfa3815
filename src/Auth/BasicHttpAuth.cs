using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Connections;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Logging;
using Websockify.Platform;

namespace Websockify.Auth;

/// <summary>
/// Upstream's <c>BasicHTTPAuth</c>: the request must carry <c>Authorization: Basic</c> with the
/// <c>user:password</c> of the source. Every failure is a 401 with the challenge, so a browser asks
/// again (upstream answers 403 to another scheme and drops the connection on bad base64). The
/// comparison is of SHA-256 digests in constant time: neither the content nor the length of the
/// password leaks through timing. Beyond upstream, the source may be a file (<c>@PATH</c>) or the
/// systemd credential <c>websockify-auth-source</c>, so the password is not in <c>ps</c> (upstream #449);
/// those are read again on SIGHUP.
/// </summary>
internal sealed class BasicHttpAuth : IConnectionAuthenticator, IReloadable
{
    public const string CredentialName = "websockify-auth-source";

    /// <summary>As for the key password: far above any real credentials.</summary>
    public const int MaxBytes = 4096;

    private static readonly HttpRejection Challenge = new(
        401, "Unauthorized", [new("WWW-Authenticate", "Basic realm=\"Websockify\", charset=\"UTF-8\"")]);

    private readonly string? _file;
    private readonly ILogger _logger;
    private volatile byte[] _expected;

    private BasicHttpAuth(string credentials, string? file, ILogger logger)
    {
        _expected = Digest(credentials);
        _file = file;
        _logger = logger;
    }

    public string ReloadName => "BasicHTTPAuth credentials";

    public static Func<ILogger, IConnectionAuthenticator> Parse(AuthSourceArguments arguments)
    {
        string? file = null;
        if (arguments.Source is { } source && source.StartsWith('@'))
        {
            file = Path.GetFullPath(source[1..], arguments.WorkingDirectory);
        }
        else if (arguments.Source is null)
        {
            var credential = string.IsNullOrEmpty(arguments.CredentialsDirectory) ? null : Path.Combine(arguments.CredentialsDirectory, CredentialName);
            file = credential is not null && File.Exists(credential)
                ? credential
                : throw new CliUsageException(
                    $"--auth-plugin BasicHTTPAuth needs --auth-source user:password, --auth-source @FILE, or the systemd credential {CredentialName}");
        }

        string credentials;
        try
        {
            credentials = file is null ? arguments.Source! : Read(file);
        }
        catch (SecretLineException ex)
        {
            throw new CliUsageException(ex.Message);
        }

        if (!credentials.Contains(':', StringComparison.Ordinal))
        {
            throw new CliUsageException($"--auth-source for BasicHTTPAuth: expected user:password{(file is null ? "" : $" as the first line of '{file}'")}");
        }

        return logger => new BasicHttpAuth(credentials, file, logger);
    }

    public ValueTask<HttpRejection?> AuthenticateAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        var refusal = Check(request.Get("Authorization"));
        if (refusal is not null)
        {
            AuthLog.Refused(_logger, connection.LogName, "BasicHTTPAuth", refusal);
        }

        return ValueTask.FromResult(refusal is null ? null : Challenge);
    }

    /// <returns>Null when the credentials match, otherwise why not (for the log: no password in it).</returns>
    private string? Check(string? authorization)
    {
        const string Scheme = "Basic ";
        if (authorization is null)
        {
            return "no credentials";
        }

        if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return "not Basic credentials";
        }

        var encoded = authorization.AsSpan(Scheme.Length).Trim();
        var decoded = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, decoded, out var length))
        {
            return "credentials are not base64";
        }

        var given = decoded.AsSpan(0, length);
        if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(given), _expected))
        {
            return null;
        }

        var colon = given.IndexOf((byte)':');
        var user = colon < 0 ? "" : Encoding.UTF8.GetString(given[..colon]);
        return colon < 0 ? "no user:password in the credentials" : $"wrong credentials for user '{LogEscaper.Escape(user)}'";
    }

    public void Reload(ILogger logger)
    {
        if (_file is null)
        {
            return; // given on the command line: nothing to re-read
        }

        try
        {
            var credentials = Read(_file);
            if (!credentials.Contains(':', StringComparison.Ordinal))
            {
                throw new SecretLineException($"'{_file}': expected user:password on the first line");
            }

            _expected = Digest(credentials);
            AuthLog.Reloaded(logger, _file);
        }
        catch (SecretLineException ex)
        {
            AuthLog.ReloadFailed(logger, ex.Message);
        }
    }

    private static string Read(string file) => SecretLine.Read(file, "--auth-source", MaxBytes);

    private static byte[] Digest(string credentials) => SHA256.HashData(Encoding.UTF8.GetBytes(credentials));
}
