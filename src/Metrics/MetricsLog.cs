using Microsoft.Extensions.Logging;

namespace Websockify.Metrics;

internal static partial class MetricsLog
{
    [LoggerMessage(1500, LogLevel.Information, "Metrics on http://{Address}/metrics, health on /healthz", EventName = "MetricsListening")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(1501, LogLevel.Debug, "metrics: {Peer}: \"{Method} {Target}\" {Status}", EventName = "MetricsRequest")]
    public static partial void Request(ILogger logger, string peer, string method, string target, int status);

    [LoggerMessage(1502, LogLevel.Debug, "metrics: {Peer}: {Reason}", EventName = "MetricsRequestFailed")]
    public static partial void RequestFailed(ILogger logger, string peer, string reason);
}
