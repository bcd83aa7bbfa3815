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

    public IRunningProgram Start()
    {
        var program = programs[Interlocked.Increment(ref _next) - 1];
        _starts.Writer.TryWrite((program, clock.Elapsed));
        return program;
    }

    /// <summary>The next start (bounded wait, in real time).</summary>
    public async Task<(FakeProgram Program, TimeSpan At)> NextStartAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await _starts.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Whether a start is waiting to be read by <see cref="NextStartAsync"/>.</summary>
    public bool HasUnreadStart => _starts.Reader.TryPeek(out _);
}
