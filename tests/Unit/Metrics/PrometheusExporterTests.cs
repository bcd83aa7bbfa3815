using Websockify.Metrics;

namespace Websockify.Tests.Unit.Metrics;

public sealed class PrometheusExporterTests
{
    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Counters_get_total_help_and_type_and_start_at_zero()
    {
        using var metrics = new DaemonMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        metrics.Touch();
        var lines = Lines(exporter.Scrape());
        Assert.Contains("# TYPE websockify_sessions_total counter", lines);
        Assert.Contains(lines, l => l.StartsWith("# HELP websockify_sessions_total WebSocket sessions started", StringComparison.Ordinal));
        Assert.Contains("websockify_sessions_total 0", lines);
        Assert.Contains("websockify_tls_handshakes_failed_total 0", lines);

        metrics.SessionStarted();
        metrics.SessionStarted();
        metrics.TargetConnectFailed();
        lines = Lines(exporter.Scrape());
        Assert.Contains("websockify_sessions_total 2", lines);
        Assert.Contains("websockify_target_connect_failures_total 1", lines);
    }

    [Fact]
    public void Refusals_are_one_series_per_reason_and_status()
    {
        using var metrics = new DaemonMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        metrics.Refused("http", 405);
        metrics.Refused("http", 405);
        metrics.Refused("auth", 401);
        metrics.Refused("proxy", 0);
        var lines = Lines(exporter.Scrape());
        Assert.Contains("websockify_handshakes_refused_total{reason=\"http\",status=\"405\"} 2", lines);
        Assert.Contains("websockify_handshakes_refused_total{reason=\"auth\",status=\"401\"} 1", lines);
        Assert.Contains("websockify_handshakes_refused_total{reason=\"proxy\",status=\"0\"} 1", lines);
    }

    [Fact]
    public void The_duration_histogram_has_cumulative_buckets_sum_and_count()
    {
        using var metrics = new DaemonMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        metrics.SessionEnded(0.05, 1, 2, heartbeatTimeout: false);
        metrics.SessionEnded(5, 10, 20, heartbeatTimeout: true);
        metrics.SessionEnded(100_000, 0, 0, heartbeatTimeout: false); // past the last bucket
        var lines = Lines(exporter.Scrape());
        Assert.Contains("# TYPE websockify_session_duration_seconds histogram", lines);
        Assert.Contains("websockify_session_duration_seconds_bucket{le=\"0.1\"} 1", lines);
        Assert.Contains("websockify_session_duration_seconds_bucket{le=\"1\"} 1", lines);
        Assert.Contains("websockify_session_duration_seconds_bucket{le=\"10\"} 2", lines);
        Assert.Contains("websockify_session_duration_seconds_bucket{le=\"86400\"} 2", lines);
        Assert.Contains("websockify_session_duration_seconds_bucket{le=\"+Inf\"} 3", lines);
        Assert.Contains("websockify_session_duration_seconds_sum 100005.05", lines);
        Assert.Contains("websockify_session_duration_seconds_count 3", lines);
        Assert.Contains("websockify_heartbeat_timeouts_total 1", lines);
    }

    [Fact]
    public void Observed_values_are_read_at_each_scrape_and_bytes_add_live_to_ended()
    {
        using var metrics = new DaemonMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        var (open, live, draining) = (3, (ToTarget: 100L, ToClient: 1000L), false);
        metrics.Observe(() => open, () => open + 1, () => draining, () => live);
        metrics.SessionEnded(1, 7, 70, heartbeatTimeout: false);
        var lines = Lines(exporter.Scrape());
        Assert.Contains("# TYPE websockify_sessions_open gauge", lines);
        Assert.Contains("websockify_sessions_open 3", lines);
        Assert.Contains("websockify_connections_open 4", lines);
        Assert.Contains("websockify_draining 0", lines);
        Assert.Contains("# TYPE websockify_bytes_total counter", lines);
        Assert.Contains("websockify_bytes_total{direction=\"to_target\"} 107", lines);
        Assert.Contains("websockify_bytes_total{direction=\"to_client\"} 1070", lines);

        (open, live, draining) = (0, (0, 0), true); // the live sessions ended without being counted as ended yet
        lines = Lines(exporter.Scrape());
        Assert.Contains("websockify_sessions_open 0", lines);
        Assert.Contains("websockify_draining 1", lines);
        Assert.Contains("websockify_bytes_total{direction=\"to_target\"} 107", lines); // a counter never goes back
    }
}
