using Microsoft.Extensions.Logging;

namespace Websockify.Wrapping;

/// <summary>
/// Runs the wrapped program according to <see cref="WrapMode"/> and, when the daemon stops, stops the
/// program's whole process group: SIGTERM, then SIGKILL after a grace period. Upstream leaves
/// the program running as an orphan.
/// </summary>
internal sealed class ProgramSupervisor(
    IProgramLauncher launcher,
    WrapMode mode,
    string description,
    ILogger logger,
    Func<TimeSpan, CancellationToken, Task>? delay = null,
    TimeSpan? stopGrace = null)
{
    /// <summary>How long the program group gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _stopGrace = stopGrace ?? DefaultStopGrace;

    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? Task.Delay;
    private readonly RespawnBackoff _backoff = new();

    private volatile int _currentPid;

    /// <summary>The pid the runtime started for the current run (0 between runs): the runtime reaps it, not us.</summary>
    public int CurrentPid => _currentPid;

    /// <summary>Called before each start, so the target resolver waits for the new run's port.</summary>
    public event Action? Starting;

    /// <summary>
    /// Supervises until <paramref name="stop"/> fires (returns null) or, in exit mode, until the program
    /// exits (returns its exit status: the daemon's own).
    /// </summary>
    public async Task<int?> RunAsync(CancellationToken stop)
    {
        while (true)
        {
            Starting?.Invoke();
            using var program = launcher.Start();
            _currentPid = program.Pid;
            var started = DateTime.UtcNow;
            WrappingLog.Started(logger, description, program.Pid);

            var stopped = Task.Delay(Timeout.Infinite, stop);
            if (await Task.WhenAny(program.Exited, stopped).ConfigureAwait(false) != program.Exited)
            {
                await StopGroupAsync(program).ConfigureAwait(false);
                return null;
            }

            var status = await program.Exited.ConfigureAwait(false);
            WrappingLog.Exited(logger, description, program.Pid, status);
            switch (WrapDecision.After(mode))
            {
                case WrapAction.StopDaemon:
                    await StopGroupAsync(program).ConfigureAwait(false); // anything it left behind in its group
                    return status;
                case WrapAction.KeepServing:
                    // A daemonizing program (vncserver) leaves its server in the group: stop it with us.
                    await stopped.ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                    await StopGroupAsync(program).ConfigureAwait(false);
                    return null;
                default:
                    await StopGroupAsync(program).ConfigureAwait(false);
                    var wait = _backoff.NextDelay(DateTime.UtcNow - started);
                    WrappingLog.Respawning(logger, description, wait.TotalSeconds);
                    try
                    {
                        await _delay(wait, stop).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return null;
                    }

                    break;
            }
        }
    }

    /// <summary>SIGTERM to the group; SIGKILL to whatever is still alive when the grace period is over.</summary>
    private async Task StopGroupAsync(IRunningProgram program)
    {
        program.SignalGroup(SigTerm);
        var deadline = DateTime.UtcNow + _stopGrace;
        while (!(program.Exited.IsCompleted && !program.GroupAlive()) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).ConfigureAwait(false);
        }

        if (!program.Exited.IsCompleted || program.GroupAlive())
        {
            WrappingLog.Killing(logger, description, program.Pid);
            program.SignalGroup(SigKill);
            await Task.WhenAny(program.Exited, Task.Delay(_stopGrace)).ConfigureAwait(false);
        }
    }
}
