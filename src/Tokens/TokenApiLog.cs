using Microsoft.Extensions.Logging;

namespace Websockify.Tokens;

/// <summary>The HTTP API and JWT token plugins (1170-1189).</summary>
internal static partial class TokenApiLog
{
    [LoggerMessage(1170, LogLevel.Information, "JWTTokenApi: verifying tokens with the {Key} in '{Path}'", EventName = "JwtKeyLoaded")]
    public static partial void JwtKeyLoaded(ILogger logger, string path, string key);

    [LoggerMessage(1171, LogLevel.Warning, "JWTTokenApi: the shared secret in '{Path}' is shorter than 256 bits; HS256 wants at least that (RFC 7518)", EventName = "JwtWeakSecret")]
    public static partial void JwtWeakSecret(ILogger logger, string path);

    [LoggerMessage(1172, LogLevel.Error, "JWT key not reloaded, keeping the current one: {Reason}", EventName = "JwtKeyReloadFailed")]
    public static partial void JwtKeyReloadFailed(ILogger logger, string reason);
}
