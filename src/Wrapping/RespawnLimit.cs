namespace Websockify.Wrapping;

/// <summary>
/// <c>--max-respawns N</c>: at most N restarts within any minute in respawn mode. A program that keeps
/// dying despite the back-off (or ends after every session faster than people can start sessions) is
/// then given up on, so the service manager sees a failed unit instead of a daemon that restarts it for
/// ever. Remembers at most N start times.
/// </summary>
internal sealed class RespawnLimit(int maxPerMinute, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Queue<long> _restarts = new();

    public int MaxPerMinute => maxPerMinute;

    /// <returns>False when one more restart now would be more than the limit within the last minute (0: no limit).</returns>
    public bool TryRestart()
    {
        if (maxPerMinute <= 0)
        {
            return true;
        }

        var now = time.GetTimestamp();
        while (_restarts.Count > 0 && time.GetElapsedTime(_restarts.Peek(), now) >= Window)
        {
            _restarts.Dequeue();
        }

        if (_restarts.Count >= maxPerMinute)
        {
            return false;
        }

        _restarts.Enqueue(now);
        return true;
    }
}
