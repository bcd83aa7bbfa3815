namespace Websockify.Wrapping;

/// <summary>What the daemon does when the wrapped program exits (<c>--wrap-mode</c>).</summary>
internal enum WrapMode
{
    /// <summary>Close sessions and exit with the program's exit status (upstream exits 0 whatever happened).</summary>
    Exit,

    /// <summary>Keep serving: the program may have daemonized (vncserver) and still listen.</summary>
    Ignore,

    /// <summary>Start it again, with backoff.</summary>
    Respawn,
}
