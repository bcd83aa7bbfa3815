using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Relay;

/// <summary>
/// The last stage, after the 101: connect to the target (1011 to the client if that fails), then relay
/// until either side ends, with the session registered (for shutdown and status) and observed.
/// </summary>
internal sealed class SessionStage(
    TargetConnector connector, SessionRegistry sessions, SessionObservers observers, Limits limits, TimeProvider time, ILogger logger,
    Heartbeat? heartbeat = null, Metrics.DaemonMetrics? metrics = null)
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask RunAsync(ConnectionContext connection, AcceptedHandshake handshake, CancellationToken shutdown)
    {
        var channel = ClientChannel.Create(connection.Transport, connection.Socket, handshake);
        var target = await connector.ConnectAsync(connection, shutdown).ConfigureAwait(false);
        if (target is null)
        {
            metrics?.TargetConnectFailed();
            await channel.TrySendCloseAsync(CloseCodes.InternalError, "Failed to connect to downstream server", limits.CloseSendTimeout, time)
                .ConfigureAwait(false);
            await LingeringClose.CloseAsync(connection.Socket, limits.LingerTimeout, time).ConfigureAwait(false);
            return;
        }

        var started = time.GetTimestamp();
        var relay = new SessionRelay(channel, connection.Socket, target, limits, time, observers.Open(connection, started));
        connection.Request = null; // its headers and strings served routing and observers: a long session need not hold them
        sessions.Add(relay);
        metrics?.SessionStarted();
        RelayOutcome? outcome = null;
        var watched = channel.CanPing ? heartbeat : null; // Hixie drafts have no ping: nothing could answer
        watched?.Add(relay, connection.LogName);
        try
        {
            outcome = await relay.RunAsync().ConfigureAwait(false);
            RelayLog.SessionEnded(logger, connection.LogName, outcome, relay.BytesToTarget, relay.BytesToClient, time.GetElapsedTime(started).TotalSeconds);
        }
        finally
        {
            // Its bytes join the ended total before it leaves the registry: a scrape between counts them twice, never not at all.
            metrics?.SessionEnded(time.GetElapsedTime(started).TotalSeconds, relay.BytesToTarget, relay.BytesToClient, outcome?.End == RelayEnd.HeartbeatTimeout);
            watched?.Remove(relay);
            sessions.Remove(relay);
            target.Dispose();
        }
    }
}
