using Microsoft.Extensions.Time.Testing;
using Websockify.Relay;

namespace Websockify.Tests.Unit.Relay;

/// <summary>The send timeout on a fake clock, with sessions whose write progress the test sets.</summary>
public sealed class SendWatchdogTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    private sealed class Session : ISendWatched
    {
        private SendWatch _client;
        private SendWatch _target;

        public long PendingWrite { get; set; }

        public long PendingTargetWrite { get; set; }

        public long PendingClientWrite => PendingWrite;

        public ref SendWatch ClientWatch => ref _client;

        public ref SendWatch TargetWatch => ref _target;

        public List<TimeSpan> Closed { get; } = [];

        public List<TimeSpan> TargetClosed { get; } = [];

        public void CloseStalledClient(TimeSpan waited) => Closed.Add(waited);

        public void CloseStalledTarget(TimeSpan waited) => TargetClosed.Add(waited);
    }

    private readonly FakeTimeProvider _time = new();

    private void Ticks(int count)
    {
        for (var i = 0; i < count; i++)
        {
            _time.Advance(Second);
        }
    }

    [Fact]
    public void A_write_that_does_not_finish_is_closed_once_after_the_timeout_counted_from_the_first_tick_that_saw_it()
    {
        var stuck = new Session { PendingWrite = 7 };
        var idle = new Session();
        using var watchdog = new SendWatchdog(() => [stuck, idle], TimeSpan.FromSeconds(5), _time);

        Ticks(5); // first seen at 1 s: 4 s of waiting so far
        Assert.Empty(stuck.Closed);
        Ticks(1);
        Assert.Equal([TimeSpan.FromSeconds(5)], stuck.Closed);
        Ticks(10);
        Assert.Single(stuck.Closed); // once, even while the abort takes its time
        Assert.Empty(idle.Closed);
    }

    [Fact]
    public void A_slow_reader_whose_writes_keep_finishing_is_never_closed()
    {
        var slow = new Session();
        using var watchdog = new SendWatchdog(() => [slow], TimeSpan.FromSeconds(3), _time);

        for (var write = 1; write <= 20; write++)
        {
            slow.PendingWrite = write; // each write takes about two seconds, each one finishes
            Ticks(2);
        }

        slow.PendingWrite = 0;
        Ticks(10);
        Assert.Empty(slow.Closed);
    }

    [Fact]
    public void Sessions_come_and_go_between_ticks()
    {
        var sessions = new List<ISendWatched>();
        using var watchdog = new SendWatchdog(() => sessions.ToArray(), TimeSpan.FromSeconds(2), _time);
        var late = new Session { PendingWrite = 1 };

        Ticks(3);
        sessions.Add(late);
        Ticks(2);
        Assert.Empty(late.Closed); // seen first at 4 s, 1 s of waiting
        Ticks(1);
        Assert.Single(late.Closed);
    }

    [Fact]
    public void A_target_that_stops_reading_is_dropped_on_its_own_count()
    {
        var session = new Session { PendingTargetWrite = 3 };
        using var watchdog = new SendWatchdog(() => [session], TimeSpan.FromSeconds(2), _time);

        Ticks(2);
        Assert.Empty(session.TargetClosed);
        session.PendingWrite = 5; // a client write starts meanwhile and finishes: nothing to do with the target's
        Ticks(1);
        Assert.Equal([TimeSpan.FromSeconds(2)], session.TargetClosed);
        session.PendingWrite = 0;
        Ticks(5);
        Assert.Empty(session.Closed);
        Assert.Single(session.TargetClosed);
    }
}
