using Microsoft.Extensions.Logging;

namespace Websockify.Http;

internal static partial class HttpLog
{
    [LoggerMessage(200, LogLevel.Debug, "{Client}: \"{Method} {Target} {Version}\" {Status}", EventName = "Request")]
    public static partial void Request(ILogger logger, string client, string method, string target, string version, int status);

    [LoggerMessage(201, LogLevel.Information, "{Client}: request refused, {Status}: {Reason}", EventName = "Refused")]
    public static partial void Refused(ILogger logger, string client, int status, string reason);
}
