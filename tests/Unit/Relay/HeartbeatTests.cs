using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Websockify.Relay;

namespace Websockify.Tests.Unit.Relay;

/// <summary>The heartbeat's one timer on a fake clock, against sessions that answer or stay silent.</summary>
public sealed class HeartbeatTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(7);

    private readonly FakeTimeProvider _time = new();
    private readonly Heartbeat _heartbeat;

    public HeartbeatTests()
    {
        _heartbeat = new Heartbeat(Interval, Timeout, Grace, _time, NullLogger.Instance);
    }

    public void Dispose() => _heartbeat.Dispose();

    private void AdvanceSeconds(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public void A_ping_goes_out_every_interval_and_none_before()
    {
        var session = new FakeSession();
        _heartbeat.Add(session, "c");

        AdvanceSeconds(4);
        Assert.Equal(0, session.Pings);
        AdvanceSeconds(1);
        Assert.Equal(1, session.Pings);
        session.Speak();
        AdvanceSeconds(5);
        Assert.Equal(2, session.Pings);
    }

    [Fact]
    public void A_client_that_keeps_answering_is_never_closed()
    {
        var session = new FakeSession();
        _heartbeat.Add(session, "c");
        for (var i = 0; i < 20; i++)
        {
            AdvanceSeconds(5);
            session.Speak(); // its pong
        }

        Assert.Equal(20, session.Pings);
        Assert.Null(session.ClosedAfter);
    }

    [Fact]
    public void A_silent_client_is_closed_at_the_timeout_then_aborted_after_the_grace_if_still_there()
    {
        var session = new FakeSession();
        _heartbeat.Add(session, "c");

        AdvanceSeconds(14);
        Assert.Null(session.ClosedAfter);
        AdvanceSeconds(1);
        Assert.Equal(Timeout, session.ClosedAfter);
        Assert.False(session.Aborted);
        var pings = session.Pings;

        AdvanceSeconds(6);
        Assert.False(session.Aborted);
        AdvanceSeconds(1);
        Assert.True(session.Aborted);
        Assert.Equal(pings, session.Pings); // no pings to a session being closed
        Assert.Equal(0, _heartbeat.Count);
    }

    [Fact]
    public void Silence_counts_from_the_last_thing_the_client_said()
    {
        var session = new FakeSession();
        _heartbeat.Add(session, "c");
        AdvanceSeconds(10);
        session.Speak();
        AdvanceSeconds(1); // the tick that notices it
        AdvanceSeconds(14);
        Assert.Null(session.ClosedAfter);
        AdvanceSeconds(1);
        Assert.NotNull(session.ClosedAfter);
    }

    [Fact]
    public void A_session_that_ended_is_forgotten()
    {
        var session = new FakeSession();
        _heartbeat.Add(session, "c");
        _heartbeat.Remove(session);
        AdvanceSeconds(30);
        Assert.Equal(0, session.Pings);
        Assert.Null(session.ClosedAfter);
    }

    [Fact]
    public void Thousands_of_sessions_share_the_one_timer()
    {
        var clock = new CountingClock(_time);
        using var heartbeat = new Heartbeat(Interval, Timeout, Grace, clock, NullLogger.Instance);
        var sessions = Enumerable.Range(0, 9000).Select(_ => new FakeSession()).ToList();
        foreach (var session in sessions)
        {
            heartbeat.Add(session, "c");
        }

        AdvanceSeconds(5);
        Assert.All(sessions, s => Assert.Equal(1, s.Pings));
        Assert.Equal(1, clock.Timers);
    }

    /// <summary>The fake clock, counting the timers asked of it.</summary>
    private sealed class CountingClock(FakeTimeProvider inner) : TimeProvider
    {
        public int Timers { get; private set; }

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Timers++;
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }

    private sealed class FakeSession : IHeartbeatSession
    {
        private long _reads;

        public int Pings { get; private set; }

        public TimeSpan? ClosedAfter { get; private set; }

        public bool Aborted { get; private set; }

        public long ClientReads => _reads;

        public void Speak() => _reads++;

        public ValueTask<bool> TrySendPingAsync()
        {
            Pings++;
            return ValueTask.FromResult(true);
        }

        public void CloseUnanswered(TimeSpan silence) => ClosedAfter = silence;

        public void Abort() => Aborted = true;
    }
}
