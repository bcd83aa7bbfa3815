using Microsoft.Extensions.Logging;

namespace Websockify.Tokens;

/// <summary>Token resolution (1100-1139; the plugins' own classes: files 1140-, Redis 1160-, HTTP API and JWT 1170-). Tokens appear only as <see cref="TokenHash"/>.</summary>
internal static partial class TokensLog
{
    [LoggerMessage(1100, LogLevel.Information, "{Client}: token {Token}: connecting via {Plugin}", EventName = "TokenFound")]
    public static partial void Found(ILogger logger, string client, string token, string plugin);

    [LoggerMessage(1101, LogLevel.Information, "{Client}: Token not present ({Where}), refused with 400", EventName = "TokenMissing")]
    public static partial void Missing(ILogger logger, string client, string where);

    [LoggerMessage(1102, LogLevel.Information, "{Client}: token {Token} not found by {Plugin}{Detail}, refused with 403", EventName = "TokenUnknown")]
    public static partial void Unknown(ILogger logger, string client, string token, string plugin, string detail);

    [LoggerMessage(1103, LogLevel.Warning, "{Client}: token {Token} refused by {Plugin}: {Detail}, refused with 403", EventName = "TokenInvalid")]
    public static partial void Invalid(ILogger logger, string client, string token, string plugin, string detail);

    [LoggerMessage(1104, LogLevel.Warning, "{Client}: token {Token}: {Plugin} could not answer: {Detail}, refused with 503", EventName = "TokenLookupUnavailable")]
    public static partial void Unavailable(ILogger logger, string client, string token, string plugin, string detail);

    [LoggerMessage(1105, LogLevel.Error, "{Client}: token {Token}: {Plugin} failed: {Message}, refused with 503", EventName = "TokenLookupCrashed")]
    public static partial void Crashed(ILogger logger, string client, string token, string plugin, string message);
}
