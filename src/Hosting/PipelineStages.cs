using Websockify.Auth;
using Websockify.Http;
using Websockify.Legacy;
using Websockify.Net;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.Tls;

namespace Websockify.Hosting;

/// <summary>
/// The seams of <see cref="ConnectionPipeline"/>, chosen at start-up: TLS, who may go on (for upgrades,
/// and for the web handler with <c>--web-auth</c>), what answers plain HTTP, where sessions go, and the
/// session itself, which of the old protocols are allowed, and who the client is behind a balancer.
/// </summary>
internal sealed record PipelineStages(
    TlsNegotiation Tls,
    IConnectionAuthenticator UpgradeAuth,
    IConnectionAuthenticator WebAuth,
    IHttpRequestHandler Web,
    ITargetResolver Targets,
    SessionStage Session,
    LegacyProtocols Legacy,
    RealClient Clients,
    Metrics.DaemonMetrics? Metrics = null);
