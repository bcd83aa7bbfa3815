using Microsoft.Extensions.Logging;
using Websockify.Auth;
using Websockify.Connections;
using Websockify.Http;
using Websockify.Legacy;
using Websockify.Net;
using Websockify.Recording;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.Tls;
using Websockify.Web;

namespace Websockify.Hosting;

/// <summary>
/// Puts the pipeline together. Each later feature is one implementation handed in here: the web server
/// (<c>--web</c>) as the HTTP handler, auth plugins as authenticators, token plugins as the resolver,
/// <c>--record</c>, <c>--traffic</c> and metrics as session observers.
/// </summary>
internal static class ServerBuilder
{
    /// <param name="web">The <c>--web</c> root, opened at start-up; null keeps upstream's 405 for plain HTTP.</param>
    /// <param name="heartbeat"><c>--heartbeat</c>; its one timer lives as long as the process.</param>
    /// <param name="record"><c>--record</c>; its writer thread is drained by <see cref="ProxyServer.StopAsync"/>.</param>
    /// <param name="traffic"><c>--traffic</c>: the legend and event characters on stdout.</param>
    /// <param name="targetProxyProtocol"><c>--target-proxy-protocol</c>; null: target connections carry only the relayed bytes.</param>
    /// <param name="targetTls"><c>--ssl-target</c>'s trust settings, loaded at start-up; null: upstream's checks.</param>
    /// <param name="auth"><c>--auth-plugin</c> for upgrades; null: every request may go on.</param>
    /// <param name="webAuth"><c>--web-auth</c>: <paramref name="auth"/> decides on the web server's requests too.</param>
    /// <param name="legacy"><c>--allow-hixie</c>, <c>--flash-policy</c>; null: neither.</param>
    /// <param name="clients"><c>--proxy-protocol</c>, <c>--trusted-proxy</c>; null: every peer is the client.</param>
    /// <param name="metrics"><c>--metrics</c>; null: off, and nothing counts.</param>
    public static ProxyServer Build(
        ListenerSet listeners, TlsServerContext tls, ITargetResolver resolver, WebRoot? web, Limits limits, HeartbeatSettings? heartbeat, ServerLifetime lifetime,
        TimeProvider time, ILogger logger, RecordSettings? record = null, bool traffic = false, ProxyProtocolVersion? targetProxyProtocol = null,
        TargetTlsContext? targetTls = null, IConnectionAuthenticator? auth = null, bool webAuth = false, LegacyProtocols? legacy = null,
        ClientAddressSettings? clients = null, Metrics.DaemonMetrics? metrics = null)
    {
        var factories = new List<ISessionObserverFactory>();
        if (record is not null)
        {
            factories.Add(new SessionRecorder(record, time, logger));
        }

        if (traffic)
        {
            factories.Add(new TrafficPrinter(new TrafficOutput(Console.OpenStandardOutput(), logger)));
        }

        var observers = factories.Count == 0 ? SessionObservers.None : new SessionObservers(factories);
        var shutdown = new CancellationTokenSource();
        var settler = new MemorySettler(time);
        var sessions = new SessionRegistry(settler);
        var connector = new TargetConnector(new TargetDialer(limits.ConnectTimeout, time, targetTls), resolver, logger, targetProxyProtocol);
        var stages = new PipelineStages(
            Tls: new TlsNegotiation(tls, logger, metrics),
            UpgradeAuth: auth ?? AllowAll.Instance,
            WebAuth: webAuth && auth is not null ? auth : AllowAll.Instance,
            Web: web is null ? new MethodNotAllowedHandler() : new StaticFileHandler(web, limits, time, logger, shutdown.Token),
            Targets: resolver,
            Session: new SessionStage(connector, sessions, observers, limits, time, logger, heartbeat is null
                ? null
                : new Heartbeat(heartbeat.Interval, heartbeat.Timeout, limits.CloseSendTimeout + limits.CloseHandshakeTimeout, time, logger), metrics),
            Legacy: legacy ?? LegacyProtocols.None,
            Clients: new RealClient(clients ?? ClientAddressSettings.Direct, logger, metrics),
            Metrics: metrics);
        var pipeline = new ConnectionPipeline(stages, new ConnectionIds(), limits, time, logger, shutdown.Token);
        return new ProxyServer(listeners.Listeners, sessions, pipeline, shutdown, limits, time, logger, lifetime, observers)
        {
            SendWatchdog = new SendWatchdog(() => sessions.Live, limits.SendTimeout, time),
            MemorySettler = settler,
            Metrics = metrics,
        };
    }
}
