using System.Collections.Concurrent;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

/// <summary>A wrapped program run by hand: the test decides when it exits and whether its group is empty.</summary>
internal sealed class FakeProgram(ObservedClock clock, int pid) : IRunningProgram
{
    private readonly TaskCompletionSource<int> _exit = new();
    private readonly ConcurrentQueue<(int Signal, TimeSpan At)> _signals = new();
    private readonly TaskCompletionSource _killed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _groupAlive;

    public int Pid { get; } = pid;

    public Task<int> Exited => _exit.Task;

    /// <summary>Each signal sent to the group, with the fake time at which it was sent.</summary>
    public IReadOnlyList<(int Signal, TimeSpan At)> Signals => [.. _signals];

    /// <summary>Completes at the first SIGTERM / SIGKILL.</summary>
    public Task Terminated => _terminated.Task;

    public Task Killed => _killed.Task;

    /// <summary>When set, SIGTERM ends the leader (with status 143); the rest of the group is <see cref="GroupAlive"/>.</summary>
    public bool ExitsOnSigterm { get; set; }

    public bool GroupIsAlive
    {
        get => _groupAlive;
        set => _groupAlive = value;
    }

    public void Exit(int status) => _exit.TrySetResult(status);

    public void SignalGroup(int signal)
    {
        _signals.Enqueue((signal, clock.Elapsed));
        if (signal == 15)
        {
            _terminated.TrySetResult();
            if (ExitsOnSigterm)
            {
                Exit(143);
            }
        }
        else if (signal == 9)
        {
            _killed.TrySetResult();
        }
    }

    public bool GroupAlive() => _groupAlive;

    public void Dispose()
    {
    }
}
