using Microsoft.Extensions.Logging;

namespace Websockify.Web;

internal static partial class WebLog
{
    [LoggerMessage(900, LogLevel.Debug, "{Client}: web request refused (400): {Reason}", EventName = "WebBadRequest")]
    public static partial void BadRequest(ILogger logger, string client, string reason);

    [LoggerMessage(901, LogLevel.Information, "{Client}: /{Path} refused (404): {Reason}", EventName = "WebOutsideRoot")]
    public static partial void OutsideRoot(ILogger logger, string client, string path, string reason);

    [LoggerMessage(902, LogLevel.Debug, "{Client}: /{Path} refused (403): {Reason}", EventName = "WebForbidden")]
    public static partial void Forbidden(ILogger logger, string client, string path, string reason);

    [LoggerMessage(903, LogLevel.Information, "{Client}: /{Path}: transfer ended after {Sent} of {Length} bytes: {Reason}", EventName = "WebTransferCut")]
    public static partial void TransferCut(ILogger logger, string client, string path, long sent, long length, string reason);

    [LoggerMessage(904, LogLevel.Warning, "{Client}: /{Path}: cannot list the directory: {Reason}", EventName = "WebListingFailed")]
    public static partial void ListingFailed(ILogger logger, string client, string path, string reason);
}
