namespace Websockify.Wrapping;

/// <summary>A started wrapped program: the seam between supervision policy and real processes.</summary>
internal interface IRunningProgram : IDisposable
{
    int Pid { get; }

    /// <summary>Completes with the exit status (128+N when killed by signal N).</summary>
    Task<int> Exited { get; }

    /// <summary>Signals the program and every process it started (never a process group: it may have been reused).</summary>
    void SignalGroup(int signal);

    /// <summary>Whether any of its processes is left (daemonized children outlive the leader).</summary>
    bool GroupAlive();
}

/// <summary>Starts the wrapped program once; each respawn calls it again.</summary>
internal interface IProgramLauncher
{
    IRunningProgram Start();
}
