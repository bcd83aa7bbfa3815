using Microsoft.Extensions.Logging;

namespace Websockify.Tokens;

/// <summary>The <c>TokenRedis</c> plugin (1160-1169). Never the password, never a token or a key.</summary>
internal static partial class TokenRedisLog
{
    [LoggerMessage(1160, LogLevel.Information, "TokenRedis backend: {Server}", EventName = "TokenRedisOpened")]
    public static partial void Opened(ILogger logger, string server);

    [LoggerMessage(1161, LogLevel.Warning, "TokenRedis: cannot reach Redis at {Server}: {Reason}; token lookups answer 503 until it is reachable again", EventName = "TokenRedisDown")]
    public static partial void Down(ILogger logger, string server, string reason);

    [LoggerMessage(1162, LogLevel.Information, "TokenRedis: connected to Redis at {Server}", EventName = "TokenRedisUp")]
    public static partial void Up(ILogger logger, string server);
}
