namespace Websockify.Listening;

/// <summary>
/// <c>--unix-listen PATH</c> with <c>--unix-listen-mode</c>: where the Unix stream socket is bound
/// (absolute) and the permission bits (0 to 0777) it gets from the start.
/// </summary>
internal sealed record UnixListenSettings(string Path, int Mode)
{
    /// <summary>Upstream 0.12's default: only the daemon's user may connect.</summary>
    public const int DefaultMode = 0x180; // 0600
}
