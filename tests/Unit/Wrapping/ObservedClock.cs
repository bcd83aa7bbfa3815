using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Websockify.Tests.Unit.Wrapping;

/// <summary>
/// A fake clock that also reports every timer armed on it: a test waits until the code under test is
/// really waiting (its timer exists) before it moves time, instead of guessing with a sleep.
/// </summary>
internal sealed class ObservedClock : FakeTimeProvider
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly Channel<(TimeSpan Due, TimeSpan ArmedAt)> _armed = Channel.CreateUnbounded<(TimeSpan, TimeSpan)>();
    private readonly DateTimeOffset _origin;

    public ObservedClock() => _origin = GetUtcNow();

    /// <summary>Fake time since the clock was made.</summary>
    public TimeSpan Elapsed => GetUtcNow() - _origin;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _armed.Writer.TryWrite((dueTime, Elapsed));
        return timer;
    }

    /// <summary>
    /// Waits (bounded, in real time) until a timer of exactly <paramref name="dueTime"/> has been armed,
    /// at fake time <paramref name="armedAt"/> when given; earlier timers are passed over.
    /// </summary>
    public async Task WaitForTimerAsync(TimeSpan dueTime, TimeSpan? armedAt = null)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (true)
        {
            var timer = await _armed.Reader.ReadAsync(timeout.Token);
            if (timer.Due == dueTime && (armedAt is null || timer.ArmedAt == armedAt))
            {
                return;
            }
        }
    }
}
