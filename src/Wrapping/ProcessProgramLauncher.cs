using System.Diagnostics;
using Websockify.Interop;
using Websockify.Platform;

namespace Websockify.Wrapping;

/// <summary>
/// Starts the wrapped program as a session and process group leader (pid == pgid, <see cref="SessionLeader"/>),
/// so that the program and everything it forks can be signalled as one.
/// stdio is inherited: the program's output lands where the daemon's does (the journal under systemd).
/// Each run gets a port file of its own beside the report socket (rebind.so writes the port it chose
/// there for what the program executes), so a new run never inherits the previous run's port.
/// </summary>
internal sealed class ProcessProgramLauncher(IReadOnlyList<string> command, string rebindLibrary, int listenPort, string reportSocket)
    : IProgramLauncher
{
    private int _runs;
    private string? _previousPortFile;

    /// <summary>The daemon's own service-manager variables must not reach the program.</summary>
    private static readonly string[] Withheld =
    [
        "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
        "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS",
    ];

    public IRunningProgram Start()
    {
        var psi = SessionLeader.StartInfo(command);

        foreach (var name in Withheld)
        {
            psi.Environment.Remove(name);
        }

        LoginEnvironment.FillIn(psi.Environment, LibC.CurrentUser());
        var preload = psi.Environment.TryGetValue("LD_PRELOAD", out var existing) && !string.IsNullOrEmpty(existing)
            ? $"{rebindLibrary}:{existing}"
            : rebindLibrary;
        psi.Environment["LD_PRELOAD"] = preload;
        psi.Environment["REBIND_OLD_PORT"] = listenPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["REBIND_NEW_PORT"] = "0";
        psi.Environment["REBIND_REPORT_SOCKET"] = reportSocket;
        psi.Environment["REBIND_PORT_FILE"] = NextPortFile();
        return new RunningProcess(SessionLeader.Start(psi));
    }

    private string NextPortFile()
    {
        try
        {
            if (_previousPortFile is not null)
            {
                File.Delete(_previousPortFile);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover file of a finished run is harmless: the next run's file has another name.
        }

        _previousPortFile = Path.Combine(Path.GetDirectoryName(reportSocket)!, $"port.{++_runs}");
        return _previousPortFile;
    }

    /// <summary>
    /// Reaps exited processes that were adopted as orphans. The runtime reaps only the children it
    /// started, so <paramref name="startedPid"/> is left to it.
    /// </summary>
    public static void ReapAdoptedOrphans(int startedPid) => ReapAdoptedOrphans(startedPid, ProcessTree.Snapshot());

    private static void ReapAdoptedOrphans(int startedPid, IReadOnlyList<ProcessTree.Entry> snapshot)
    {
        foreach (var process in snapshot)
        {
            if (process.ParentPid == Environment.ProcessId && process.State == 'Z' && process.Pid != startedPid)
            {
                LibC.TryReap(process.Pid);
            }
        }
    }

    private sealed class RunningProcess : IRunningProgram
    {
        private readonly Process _process;

        public RunningProcess(Process process)
        {
            _process = process;
            Pid = process.Id;
            Exited = WaitAsync(process);
        }

        public int Pid { get; }

        public Task<int> Exited { get; }

        /// <summary>The program and everything it started: the daemon's live descendants (<see cref="WrappedTree"/>).</summary>
        public void SignalGroup(int signal) => WrappedTree.Signal(signal);

        public bool GroupAlive()
        {
            var snapshot = ProcessTree.Snapshot();
            ReapAdoptedOrphans(Pid, snapshot);
            return WrappedTree.Live(snapshot).Count > 0;
        }

        public void Dispose() => _process.Dispose();

        private static async Task<int> WaitAsync(Process process)
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            return process.ExitCode;
        }
    }
}
