using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Relay;

namespace Websockify.Recording;

/// <summary><c>--record FILE</c>: a recording for every session, all written by one <see cref="RecordWriter"/>.</summary>
internal sealed class SessionRecorder(RecordSettings settings, RecordWriter writer, TimeProvider time, ILogger logger) : IDrainingObserverFactory
{
    public SessionRecorder(RecordSettings settings, TimeProvider time, ILogger logger)
        : this(settings, new RecordWriter(RecordFile.Open, logger), time, logger)
    {
    }

    public ISessionObserver? OnStarted(ConnectionContext connection, long timestamp)
    {
        var path = settings.PathFor(connection.Id);
        RecordingLog.Opening(logger, connection.LogName, path);
        var session = new SessionRecording(writer, path, connection.LogName, timestamp, time, logger);
        writer.EnqueueOpen(session);
        return session;
    }

    public void Drain(TimeSpan timeout)
    {
        if (!writer.Complete(timeout))
        {
            RecordingLog.DrainTimedOut(logger, writer.UnfinishedFiles, timeout.TotalSeconds);
        }
    }
}
