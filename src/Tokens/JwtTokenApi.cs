using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Hosting;

namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>JWTTokenApi</c>: the token is a signed JWT (JWS compact form) whose <c>host</c> and
/// <c>port</c> claims name the target, checked against the key file of <c>--token-source</c> (see
/// <see cref="JwtKey"/>), with <c>exp</c> and <c>nbf</c> honoured without leeway, as upstream. Encrypted
/// tokens (JWE, five parts or an <c>enc</c> header), which upstream decrypts with a private key, are
/// refused with a log line that says so: .NET has no JWE and no library that does it was measured fit
/// (see the README). The key file is read at start-up and again on SIGHUP.
/// </summary>
internal sealed class JwtTokenApi : ITokenSource, IReloadable, IDisposable
{
    /// <summary>Far above any real token (a few hundred bytes); the request line is bounded anyway.</summary>
    public const int MaxTokenLength = 8192;

    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 16 };

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly Lock _reloading = new();
    private volatile JwtKey _key;

    private JwtTokenApi(string path, JwtKey key, TimeProvider time)
    {
        _path = path;
        _key = key;
        _time = time;
    }

    public static TokenPlugin Plugin { get; } = new("JWTTokenApi", (source, cwd) =>
    {
        if (string.IsNullOrEmpty(source))
        {
            throw new CliUsageException("--token-plugin JWTTokenApi needs --token-source KEYFILE (a PEM public key, or a base64url shared secret)");
        }

        var path = Path.GetFullPath(source, cwd);
        return context =>
        {
            var key = JwtKey.Load(path);
            TokenApiLog.JwtKeyLoaded(context.Logger, path, key.Description);
            if (key.WeakSecret)
            {
                TokenApiLog.JwtWeakSecret(context.Logger, path);
            }

            return new JwtTokenApi(path, key, context.Time);
        };
    });

    public string ReloadName => "JWT key " + _path;

    public ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken) => ValueTask.FromResult(Check(token));

    public void Reload(ILogger logger)
    {
        lock (_reloading)
        {
            try
            {
                var old = _key;
                _key = JwtKey.Load(_path);
                TokenApiLog.JwtKeyLoaded(logger, _path, _key.Description);
                _ = old; // not disposed: a lookup may be verifying with it right now; the GC frees it
            }
            catch (TokenSourceException ex)
            {
                TokenApiLog.JwtKeyReloadFailed(logger, ex.Message);
            }
        }
    }

    public void Dispose() => _key.Dispose();

    internal TokenLookup Check(string token)
    {
        if (token.Length > MaxTokenLength)
        {
            return TokenLookup.Invalid($"the JWT is longer than {MaxTokenLength} characters");
        }

        var parts = token.Split('.');
        if (parts.Length == 5)
        {
            return TokenLookup.Invalid("encrypted tokens (JWE) are not supported");
        }

        if (parts.Length != 3 || Decode(parts[0]) is not { } headerBytes || Decode(parts[1]) is not { } payloadBytes || Decode(parts[2]) is not { } signature)
        {
            return TokenLookup.Invalid("not a JWT (three base64url parts)");
        }

        try
        {
            using var header = JsonDocument.Parse(headerBytes, Json);
            if (header.RootElement.ValueKind != JsonValueKind.Object)
            {
                return TokenLookup.Invalid("the JWT header is not a JSON object");
            }

            if (header.RootElement.TryGetProperty("enc", out _))
            {
                return TokenLookup.Invalid("encrypted tokens (JWE) are not supported");
            }

            if (header.RootElement.TryGetProperty("crit", out _))
            {
                return TokenLookup.Invalid("the JWT names critical extensions, none of which are supported");
            }

            var alg = header.RootElement.TryGetProperty("alg", out var algValue) && algValue.ValueKind == JsonValueKind.String ? algValue.GetString()! : "";
            var signed = Encoding.ASCII.GetBytes(token, 0, parts[0].Length + 1 + parts[1].Length);
            if (_key.Verify(alg, signed, signature) is { } refused)
            {
                return TokenLookup.Invalid(refused);
            }

            using var payload = JsonDocument.Parse(payloadBytes, Json);
            return Claims(payload.RootElement);
        }
        catch (JsonException)
        {
            return TokenLookup.Invalid("the JWT's header or claims are not JSON");
        }
    }

    private TokenLookup Claims(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object)
        {
            return TokenLookup.Invalid("the JWT's claims are not a JSON object");
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        if (claims.TryGetProperty("exp", out var exp) && (exp.ValueKind != JsonValueKind.Number || now >= exp.GetDouble()))
        {
            return TokenLookup.Invalid(exp.ValueKind == JsonValueKind.Number ? "the JWT has expired" : "the JWT's exp is not a number");
        }

        if (claims.TryGetProperty("nbf", out var nbf) && (nbf.ValueKind != JsonValueKind.Number || now < nbf.GetDouble()))
        {
            return TokenLookup.Invalid(nbf.ValueKind == JsonValueKind.Number ? "the JWT is not valid yet" : "the JWT's nbf is not a number");
        }

        return TokenTarget.FromHostAndPort(claims) is { } target
            ? TokenLookup.Found(target)
            : TokenLookup.Invalid("the JWT's host and port claims do not name a target");
    }

    private static byte[]? Decode(string part)
    {
        var bytes = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        return Base64Url.DecodeFromChars(part, bytes, out _, out var written) == System.Buffers.OperationStatus.Done ? bytes[..written] : null;
    }
}
