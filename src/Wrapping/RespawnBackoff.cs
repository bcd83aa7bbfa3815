namespace Websockify.Wrapping;

/// <summary>
/// Delay before each restart in respawn mode: 1 s, doubling up to 30 s while the program keeps dying
/// quickly; back to 1 s once a run lasted <see cref="StableRun"/>. Upstream instead allows three starts
/// in ten seconds and then settles near one start every five seconds, forever.
/// </summary>
internal sealed class RespawnBackoff
{
    public static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan Maximum = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(60);

    private TimeSpan _next = Initial;

    /// <summary>The delay before the next start, given how long the run that just ended lasted.</summary>
    public TimeSpan NextDelay(TimeSpan lastRun)
    {
        if (lastRun >= StableRun)
        {
            _next = Initial;
        }

        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, Maximum.Ticks));
        return delay;
    }
}
