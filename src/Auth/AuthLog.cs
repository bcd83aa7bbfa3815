using Microsoft.Extensions.Logging;

namespace Websockify.Auth;

/// <summary>Auth plugins (1200-1219). Everything a client chose (user names, origins) is escaped by the caller.</summary>
internal static partial class AuthLog
{
    [LoggerMessage(1200, LogLevel.Information, "{Client}: {Plugin} refused the request: {Detail}", EventName = "AuthRefused")]
    public static partial void Refused(ILogger logger, string client, string plugin, string detail);

    [LoggerMessage(1201, LogLevel.Information, "auth source reloaded from '{Path}'", EventName = "AuthSourceReloaded")]
    public static partial void Reloaded(ILogger logger, string path);

    [LoggerMessage(1202, LogLevel.Error, "auth source not reloaded, keeping the current one: {Reason}", EventName = "AuthSourceReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, string reason);
}
