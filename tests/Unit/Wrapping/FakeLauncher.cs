using System.Threading.Channels;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

/// <summary>Hands out the test's programs in order and reports each start with its fake time.</summary>
internal sealed class FakeLauncher(ObservedClock clock, params FakeProgram[] programs) : IProgramLauncher
{
    private readonly Channel<(FakeProgram Program, TimeSpan At)> _starts = Channel.CreateUnbounded<(FakeProgram, TimeSpan)>();
    private int _next;

    /// <summary>Starts so far (read without a lock: the supervisor starts from another thread).</summary>
    public int StartCount => Volatile.Read(ref _next);

    /// <summary>How many starts fail, first, as fork(2) does under EAGAIN.</summary>
    public int FailingStarts { get; init; }

    public IRunningProgram Start()
    {
        var index = Interlocked.Increment(ref _next) - 1;
        if (index < FailingStarts)
        {
            _starts.Writer.TryWrite((null!, clock.Elapsed));
            throw new System.ComponentModel.Win32Exception(11, "Resource temporarily unavailable");
        }

        var program = programs[index - FailingStarts];
        _starts.Writer.TryWrite((program, clock.Elapsed));
        return program;
    }

    /// <summary>The next start (bounded wait, in real time); a failed start has no program.</summary>
    public async Task<(FakeProgram Program, TimeSpan At)> NextStartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _starts.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Whether a start is waiting to be read by <see cref="NextStartAsync"/>.</summary>
    public bool HasUnreadStart => _starts.Reader.TryPeek(out _);
}
