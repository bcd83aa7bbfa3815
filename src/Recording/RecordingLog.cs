using Microsoft.Extensions.Logging;

namespace Websockify.Recording;

internal static partial class RecordingLog
{
    [LoggerMessage(1000, LogLevel.Information, "{Client}: opening record file: {Path}", EventName = "RecordOpening")]
    public static partial void Opening(ILogger logger, string client, string path);

    [LoggerMessage(1001, LogLevel.Warning, "{Client}: cannot open record file {Path}: {Error}; the session goes on unrecorded", EventName = "RecordOpenFailed")]
    public static partial void OpenFailed(ILogger logger, string client, string path, string error);

    [LoggerMessage(1002, LogLevel.Warning, "{Client}: recording to {Path} stopped, the session goes on: {Reason}", EventName = "RecordStopped")]
    public static partial void Stopped(ILogger logger, string client, string path, string reason);

    [LoggerMessage(1003, LogLevel.Warning, "{Count} record files were not completed within {Seconds} s of the exit: the disk did not take them", EventName = "RecordDrainTimedOut")]
    public static partial void DrainTimedOut(ILogger logger, int count, double seconds);

    [LoggerMessage(1004, LogLevel.Warning, "--traffic: characters dropped, stdout was not accepting writes", EventName = "TrafficDropped")]
    public static partial void TrafficDropped(ILogger logger);
}
