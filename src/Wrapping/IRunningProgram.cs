namespace Websockify.Wrapping;

/// <summary>A started wrapped program: the seam between supervision policy and real processes.</summary>
internal interface IRunningProgram : IDisposable
{
    int Pid { get; }

    /// <summary>Completes with the exit status (128+N when killed by signal N).</summary>
    Task<int> Exited { get; }

    /// <summary>Signals the program's whole process group (it runs in a session of its own).</summary>
    void SignalGroup(int signal);

    /// <summary>Whether any process is left in the group (daemonized children outlive the leader).</summary>
    bool GroupAlive();
}

/// <summary>Starts the wrapped program once; each respawn calls it again.</summary>
internal interface IProgramLauncher
{
    IRunningProgram Start();
}
