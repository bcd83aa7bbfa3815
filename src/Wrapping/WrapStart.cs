namespace Websockify.Wrapping;

/// <summary>How waiting for the wrapped program to listen ended.</summary>
internal enum WrapStart
{
    /// <summary>It listens; its port is the target.</summary>
    Listening,

    /// <summary>Still running but not listening after the wait: serve anyway, sessions wait for the port.</summary>
    NotYetListening,

    /// <summary>Ignore mode: it exited, nothing it started is alive, and it never listened. A failed start.</summary>
    NothingLeft,

    /// <summary>Supervision ended (exit mode: the program exited) or the daemon was told to stop.</summary>
    Ended,
}
