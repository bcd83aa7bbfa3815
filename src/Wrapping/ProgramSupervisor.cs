using Microsoft.Extensions.Logging;

namespace Websockify.Wrapping;

/// <summary>
/// Runs the wrapped program according to <see cref="WrapMode"/> and, when the daemon stops, stops the
/// program's whole process group: SIGTERM, then SIGKILL after a grace period. Upstream leaves
/// the program running as an orphan. Every wait (back-off, grace period, liveness polls) is on
/// <paramref name="time"/>, so tests drive it with a fake clock.
/// </summary>
internal sealed class ProgramSupervisor(
    IProgramLauncher launcher,
    WrapMode mode,
    string description,
    ILogger logger,
    TimeSpan? stopGrace = null,
    TimeProvider? time = null,
    int maxRespawnsPerMinute = 0)
{
    /// <summary>How long the program group gets between SIGTERM and SIGKILL.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the group is checked for leftovers after SIGTERM: no event says "the group is empty"
    /// (daemonized children are not ours to wait for), so it is polled.
    /// </summary>
    public static readonly TimeSpan LivenessPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>The daemon's status when the program could not be started at all (exit and ignore modes).</summary>
    public const int LaunchFailedStatus = 1;

    /// <summary>The daemon's status when respawn mode gave up (<c>--max-respawns</c>): a failure for the service manager.</summary>
    public const int RespawnLimitStatus = 1;

    private const int SigTerm = 15;
    private const int SigKill = 9;

    private readonly TimeSpan _stopGrace = stopGrace ?? DefaultStopGrace;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly RespawnBackoff _backoff = new();
    private readonly RespawnLimit _respawns = new(maxRespawnsPerMinute, time ?? TimeProvider.System);

    private volatile int _currentPid;

    /// <summary>The pid the runtime started for the current run (0 between runs): the runtime reaps it, not us.</summary>
    public int CurrentPid => _currentPid;

    /// <summary>Called before each start, so the target resolver waits for the new run's port.</summary>
    public event Action? Starting;

    /// <summary>Called with a run's exit status when its program exits, before the wrap mode decides what follows.</summary>
    public event Action<int>? Exited;

    /// <summary>
    /// Supervises until <paramref name="stop"/> fires (returns null) or, in exit mode, until the program
    /// exits (returns its exit status: the daemon's own).
    /// </summary>
    public async Task<int?> RunAsync(CancellationToken stop)
    {
        while (true)
        {
            Starting?.Invoke();
            var started = _time.GetTimestamp(); // the run is timed from its launch
            IRunningProgram program;
            try
            {
                program = launcher.Start();
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException or UnauthorizedAccessException)
            {
                // fork/exec failed (EAGAIN, ENOMEM, a missing setsid): respawn tries again later, the others stop.
                if (mode != WrapMode.Respawn)
                {
                    WrappingLog.LaunchFailed(logger, description, ex.Message);
                    return LaunchFailedStatus;
                }

                if (!_respawns.TryRestart())
                {
                    WrappingLog.LaunchFailed(logger, description, ex.Message);
                    WrappingLog.RespawnLimitReached(logger, description, _respawns.MaxPerMinute);
                    return RespawnLimitStatus;
                }

                var retry = _backoff.NextDelay(TimeSpan.Zero);
                WrappingLog.LaunchFailedRetrying(logger, description, ex.Message, retry.TotalSeconds);
                try
                {
                    await Task.Delay(retry, _time, stop).ConfigureAwait(false);
                    continue;
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }

            using var running = program;
            _currentPid = program.Pid;
            WrappingLog.Started(logger, description, program.Pid);

            // Not a timer: completes only when stop fires.
            var stopped = Task.Delay(Timeout.Infinite, stop);
            if (await Task.WhenAny(program.Exited, stopped).ConfigureAwait(false) != program.Exited)
            {
                await StopGroupAsync(program).ConfigureAwait(false);
                return null;
            }

            var status = await program.Exited.ConfigureAwait(false);
            WrappingLog.Exited(logger, description, program.Pid, status);
            Exited?.Invoke(status);
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
                    if (!_respawns.TryRestart())
                    {
                        WrappingLog.RespawnLimitReached(logger, description, _respawns.MaxPerMinute);
                        return RespawnLimitStatus;
                    }

                    var wait = _backoff.NextDelay(_time.GetElapsedTime(started));
                    WrappingLog.Respawning(logger, description, wait.TotalSeconds);
                    try
                    {
                        await Task.Delay(wait, _time, stop).ConfigureAwait(false);
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
        if (!await AwaitGroupEndAsync(program).ConfigureAwait(false))
        {
            WrappingLog.Killing(logger, description, program.Pid);
            program.SignalGroup(SigKill);
            await Task.WhenAny(program.Exited, Task.Delay(_stopGrace, _time)).ConfigureAwait(false);
        }
    }

    /// <summary>True once the leader has exited and its group is empty; false when the grace period ran out first.</summary>
    private async Task<bool> AwaitGroupEndAsync(IRunningProgram program)
    {
        if (Ended(program))
        {
            return true;
        }

        // One timer for the whole grace period, so late polls cannot stretch it; the count is a second bound.
        var deadline = Task.Delay(_stopGrace, _time);
        var polls = (int)Math.Ceiling(_stopGrace / LivenessPoll);
        for (var poll = 0; poll < polls; poll++)
        {
            if (await Task.WhenAny(Task.Delay(LivenessPoll, _time), deadline).ConfigureAwait(false) == deadline)
            {
                break;
            }

            if (Ended(program))
            {
                return true;
            }
        }

        return Ended(program);
    }

    private static bool Ended(IRunningProgram program) => program.Exited.IsCompleted && !program.GroupAlive();
}
