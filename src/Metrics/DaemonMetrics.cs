using System.Diagnostics.Metrics;

namespace Websockify.Metrics;

/// <summary>
/// What <c>--metrics</c> shows, as System.Diagnostics.Metrics instruments on one <see cref="Meter"/>.
/// Nothing here is touched per byte: counts move once per connection or session event, and the byte
/// totals and open counts are read when a scrape asks (<see cref="Observe"/>). Without <c>--metrics</c>
/// no instance exists and the callers' <c>?.</c> costs one null check.
/// </summary>
internal sealed class DaemonMetrics : IDisposable
{
    public const string MeterName = "websockify";

    /// <summary>Session lengths from a glance at a page to a working day.</summary>
    public static readonly double[] DurationBuckets = [0.1, 1, 10, 60, 300, 1800, 3600, 14400, 86400];

    private readonly Counter<long> _sessions;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _connectFailures;
    private readonly Counter<long> _heartbeatTimeouts;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _tlsFailures;
    private readonly Histogram<double> _durations;
    private long _bytesToTargetEnded;
    private long _bytesToClientEnded;
    private long _bytesToTargetShown;
    private long _bytesToClientShown;

    public DaemonMetrics()
    {
        Meter = new Meter(MeterName);
        _sessions = Meter.CreateCounter<long>("websockify_sessions", description: "WebSocket sessions started (target connected)");
        _refused = Meter.CreateCounter<long>("websockify_handshakes_refused", description: "Connections refused before a session, by reason (http, auth, token, limit, proxy) and HTTP status (0: closed unanswered)");
        _connectFailures = Meter.CreateCounter<long>("websockify_target_connect_failures", description: "Target connections that failed (the client got 1011)");
        _heartbeatTimeouts = Meter.CreateCounter<long>("websockify_heartbeat_timeouts", description: "Sessions closed because the client answered no heartbeat");
        _restarts = Meter.CreateCounter<long>("websockify_program_restarts", description: "Restarts of the wrapped program (--wrap-mode=respawn)");
        _tlsFailures = Meter.CreateCounter<long>("websockify_tls_handshakes_failed", description: "TLS handshakes that failed");
        _durations = Meter.CreateHistogram<double>("websockify_session_duration_seconds", "s", "How long sessions lasted",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public Meter Meter { get; }

    /// <summary>
    /// The values read at each scrape: sessions and connections open now, whether draining, and the
    /// bytes of the live sessions (added to those of the ended ones).
    /// </summary>
    public void Observe(Func<int> sessionsOpen, Func<int> connectionsOpen, Func<bool> draining, Func<(long ToTarget, long ToClient)> liveBytes)
    {
        Meter.CreateObservableUpDownCounter("websockify_sessions_open", sessionsOpen, description: "WebSocket sessions open now");
        Meter.CreateObservableUpDownCounter("websockify_connections_open", connectionsOpen, description: "Connections open now (handshakes, plain HTTP, sessions), as --max-connections counts them");
        Meter.CreateObservableGauge("websockify_draining", () => draining() ? 1 : 0, description: "1 once the daemon stopped accepting (SIGTERM with --drain-timeout), else 0");
        Meter.CreateObservableCounter("websockify_bytes", () =>
        {
            var (toTarget, toClient) = liveBytes();
            return new[]
            {
                new Measurement<long>(Monotonic(ref _bytesToTargetShown, Interlocked.Read(ref _bytesToTargetEnded) + toTarget), new KeyValuePair<string, object?>("direction", "to_target")),
                new Measurement<long>(Monotonic(ref _bytesToClientShown, Interlocked.Read(ref _bytesToClientEnded) + toClient), new KeyValuePair<string, object?>("direction", "to_client")),
            };
        }, "By", "Payload bytes relayed, by direction");
    }

    /// <summary>Series that exist from the start, so a scrape shows 0 rather than nothing.</summary>
    public void Touch()
    {
        _sessions.Add(0);
        _connectFailures.Add(0);
        _heartbeatTimeouts.Add(0);
        _restarts.Add(0);
        _tlsFailures.Add(0);
    }

    public void SessionStarted() => _sessions.Add(1);

    public void SessionEnded(double seconds, long bytesToTarget, long bytesToClient, bool heartbeatTimeout)
    {
        _durations.Record(seconds);
        Interlocked.Add(ref _bytesToTargetEnded, bytesToTarget);
        Interlocked.Add(ref _bytesToClientEnded, bytesToClient);
        if (heartbeatTimeout)
        {
            _heartbeatTimeouts.Add(1);
        }
    }

    /// <param name="reason">http, auth, token, limit or proxy: a fixed set, so the series stay few.</param>
    /// <param name="status">The HTTP status sent; 0 when the connection was closed unanswered.</param>
    public void Refused(string reason, int status) =>
        _refused.Add(1, new KeyValuePair<string, object?>("reason", reason), new KeyValuePair<string, object?>("status", status));

    public void TargetConnectFailed() => _connectFailures.Add(1);

    public void ProgramRestarted() => _restarts.Add(1);

    public void TlsHandshakeFailed() => _tlsFailures.Add(1);

    public void Dispose() => Meter.Dispose();

    /// <summary>
    /// A counter must never go back (Prometheus reads that as a restart): a session that left the live
    /// set a moment before its bytes joined the ended total would make it dip, so the highest value shown stays.
    /// </summary>
    private static long Monotonic(ref long shown, long now)
    {
        long before;
        do
        {
            before = Interlocked.Read(ref shown);
            if (now <= before)
            {
                return before;
            }
        }
        while (Interlocked.CompareExchange(ref shown, now, before) != before);
        return now;
    }
}
