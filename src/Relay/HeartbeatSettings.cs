namespace Websockify.Relay;

/// <summary><c>--heartbeat N</c> and <c>--heartbeat-timeout S</c> (default 3 × N).</summary>
internal sealed record HeartbeatSettings(TimeSpan Interval, TimeSpan Timeout)
{
    public static TimeSpan DefaultTimeout(TimeSpan interval) => interval * 3;
}
