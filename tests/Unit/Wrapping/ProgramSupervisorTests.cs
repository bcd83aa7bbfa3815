using Microsoft.Extensions.Logging.Abstractions;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

/// <summary>
/// Supervision policy against a fake process seam on a fake clock: the test moves time itself, after it
/// has seen the supervisor arm the timer it means (no sleeps). The real processes are in the integration tests.
/// </summary>
public sealed class ProgramSupervisorTests
{
    private const int SigTerm = 15;
    private const int SigKill = 9;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    private readonly ObservedClock _clock = new();

    private static TimeSpan Seconds(double seconds) => TimeSpan.FromSeconds(seconds);

    private FakeProgram Program(int pid = 42) => new(_clock, pid);

    private ProgramSupervisor Supervisor(FakeLauncher launcher, WrapMode mode, TimeSpan? stopGrace = null, int maxRespawns = 0) =>
        new(launcher, mode, "'prog'", NullLogger.Instance, stopGrace, _clock, maxRespawns);

    [Fact]
    public async Task Exit_mode_returns_the_programs_status_after_terminating_its_group()
    {
        var program = Program();
        program.Exit(3);
        var launcher = new FakeLauncher(_clock, program);

        Assert.Equal(3, await Supervisor(launcher, WrapMode.Exit).RunAsync(CancellationToken.None).WaitAsync(Bound));
        Assert.Equal([(SigTerm, TimeSpan.Zero)], program.Signals); // whatever it left goes too; nothing left: no SIGKILL
        Assert.Equal(1, launcher.StartCount);
    }

    [Fact]
    public async Task Exit_mode_polls_leftovers_that_ignore_sigterm_and_kills_them_after_the_default_five_seconds()
    {
        var program = Program();
        program.Exit(3);
        program.GroupIsAlive = true;
        var launcher = new FakeLauncher(_clock, program);

        var running = Supervisor(launcher, WrapMode.Exit).RunAsync(CancellationToken.None);
        await program.Terminated.WaitAsync(Bound);
        await _clock.WaitForTimerAsync(Seconds(5), armedAt: TimeSpan.Zero);

        // Time moves as it does for real, one liveness poll after the other, up to just before 5 s.
        var poll = ProgramSupervisor.LivenessPoll;
        var at = TimeSpan.Zero;
        for (; at + poll < Seconds(5); at += poll)
        {
            await _clock.WaitForTimerAsync(poll, armedAt: at);
            Assert.False(program.Killed.IsCompleted);
            _clock.Advance(poll);
        }

        await _clock.WaitForTimerAsync(poll, armedAt: at);
        _clock.Advance(Seconds(5) - at - Tick); // no timer is due before 5 s: nothing can run
        Assert.False(program.Killed.IsCompleted);
        Assert.False(running.IsCompleted);

        _clock.Advance(Tick);
        Assert.Equal(3, await running.WaitAsync(Bound));
        Assert.Equal([(SigTerm, TimeSpan.Zero), (SigKill, Seconds(5))], program.Signals);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(60)]
    public async Task Stopping_the_daemon_terminates_the_group_and_kills_it_after_exactly_the_grace_period(int graceSeconds)
    {
        var grace = Seconds(graceSeconds);
        using var stop = new CancellationTokenSource();
        var program = Program(); // ignores SIGTERM and even SIGKILL: never exits
        program.GroupIsAlive = true;
        var launcher = new FakeLauncher(_clock, program);
        var running = Supervisor(launcher, WrapMode.Exit, grace).RunAsync(stop.Token);
        await launcher.NextStartAsync();

        await stop.CancelAsync();
        await program.Terminated.WaitAsync(Bound);
        await _clock.WaitForTimerAsync(grace, armedAt: TimeSpan.Zero);
        _clock.Advance(grace - Tick);
        await _clock.WaitForTimerAsync(ProgramSupervisor.LivenessPoll, armedAt: grace - Tick);
        Assert.False(program.Killed.IsCompleted);

        _clock.Advance(Tick);
        await program.Killed.WaitAsync(Bound);
        Assert.Equal([(SigTerm, TimeSpan.Zero), (SigKill, grace)], program.Signals);

        // A process SIGKILL cannot end (stuck in the kernel) holds the daemon up one more grace period, not forever.
        await _clock.WaitForTimerAsync(grace, armedAt: grace);
        _clock.Advance(grace - Tick);
        Assert.False(running.IsCompleted);
        _clock.Advance(Tick);
        Assert.Null(await running.WaitAsync(Bound));
    }

    [Fact]
    public async Task Leftovers_that_leave_within_the_grace_period_are_not_killed()
    {
        using var stop = new CancellationTokenSource();
        var program = Program();
        program.ExitsOnSigterm = true;
        program.GroupIsAlive = true; // a daemonized child that takes a while to go
        var launcher = new FakeLauncher(_clock, program);
        var running = Supervisor(launcher, WrapMode.Exit).RunAsync(stop.Token);
        await launcher.NextStartAsync();

        await stop.CancelAsync();
        await _clock.WaitForTimerAsync(ProgramSupervisor.LivenessPoll, armedAt: TimeSpan.Zero);
        _clock.Advance(Seconds(1));
        await _clock.WaitForTimerAsync(ProgramSupervisor.LivenessPoll, armedAt: Seconds(1)); // still there at 1 s
        program.GroupIsAlive = false;
        _clock.Advance(ProgramSupervisor.LivenessPoll);

        Assert.Null(await running.WaitAsync(Bound));
        Assert.Equal([(SigTerm, TimeSpan.Zero)], program.Signals);
    }

    [Fact]
    public async Task Respawn_mode_waits_1_2_4_8_16_then_30_seconds_between_quick_failures()
    {
        using var stop = new CancellationTokenSource();
        var quickFailures = Enumerable.Range(0, 8).Select(i => Program(100 + i)).ToArray();
        foreach (var failing in quickFailures)
        {
            failing.Exit(1);
        }

        var last = Program(7);
        last.ExitsOnSigterm = true;
        var launcher = new FakeLauncher(_clock, [.. quickFailures, last]);
        var running = Supervisor(launcher, WrapMode.Respawn).RunAsync(stop.Token);

        var previous = (await launcher.NextStartAsync()).At;
        Assert.Equal(TimeSpan.Zero, previous);
        foreach (var delay in new[] { 1, 2, 4, 8, 16, 30, 30, 30 }.Select(s => Seconds(s)))
        {
            await _clock.WaitForTimerAsync(delay, armedAt: previous);
            _clock.Advance(delay - Tick);
            Assert.False(launcher.HasUnreadStart);
            _clock.Advance(Tick);
            var next = await launcher.NextStartAsync();
            Assert.Equal(previous + delay, next.At);
            previous = next.At;
        }

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(Bound));
        Assert.Equal(9, launcher.StartCount);
        Assert.Equal([(SigTerm, previous)], last.Signals);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_program_that_cannot_be_started_ends_supervision_with_status_1(bool exitMode)
    {
        var launcher = new FakeLauncher(_clock) { FailingStarts = 1 };
        var supervisor = Supervisor(launcher, exitMode ? WrapMode.Exit : WrapMode.Ignore);
        Assert.Equal(ProgramSupervisor.LaunchFailedStatus, await supervisor.RunAsync(CancellationToken.None).WaitAsync(Bound));
        Assert.Equal(1, launcher.StartCount);
    }

    [Fact]
    public async Task Respawn_mode_retries_a_failed_start_with_the_same_backoff()
    {
        using var stop = new CancellationTokenSource();
        var program = Program(7);
        program.ExitsOnSigterm = true;
        var launcher = new FakeLauncher(_clock, program) { FailingStarts = 2 };
        var running = Supervisor(launcher, WrapMode.Respawn).RunAsync(stop.Token);

        Assert.Equal(TimeSpan.Zero, (await launcher.NextStartAsync()).At);
        await _clock.WaitForTimerAsync(Seconds(1), armedAt: TimeSpan.Zero);
        _clock.Advance(Seconds(1));
        Assert.Equal(Seconds(1), (await launcher.NextStartAsync()).At);
        await _clock.WaitForTimerAsync(Seconds(2), armedAt: Seconds(1));
        _clock.Advance(Seconds(2));
        var started = await launcher.NextStartAsync();
        Assert.Same(program, started.Program);
        Assert.Equal(Seconds(3), started.At);

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(Bound));
        Assert.Equal(3, launcher.StartCount);
    }

    [Fact]
    public async Task A_run_of_a_minute_resets_the_backoff_and_stopping_during_a_backoff_starts_nothing()
    {
        using var stop = new CancellationTokenSource();
        var runs = Enumerable.Range(0, 4).Select(i => Program(100 + i)).ToArray();
        runs[0].Exit(1);
        runs[1].Exit(1);
        var launcher = new FakeLauncher(_clock, runs);
        var running = Supervisor(launcher, WrapMode.Respawn).RunAsync(stop.Token);

        await launcher.NextStartAsync();
        await _clock.WaitForTimerAsync(Seconds(1));
        _clock.Advance(Seconds(1));
        await launcher.NextStartAsync();
        await _clock.WaitForTimerAsync(Seconds(2));
        _clock.Advance(Seconds(2));

        // Just short of a minute: still failing, the delay keeps growing.
        Assert.Equal(runs[2], (await launcher.NextStartAsync()).Program);
        _clock.Advance(RespawnBackoff.StableRun - Tick);
        runs[2].Exit(1);
        await _clock.WaitForTimerAsync(Seconds(4));
        _clock.Advance(Seconds(4));

        // A full minute: back to 1 s.
        Assert.Equal(runs[3], (await launcher.NextStartAsync()).Program);
        _clock.Advance(RespawnBackoff.StableRun);
        runs[3].Exit(1);
        await _clock.WaitForTimerAsync(Seconds(1));

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(Bound));
        Assert.Equal(4, launcher.StartCount);
    }

    [Fact]
    public async Task Ignore_mode_keeps_serving_and_stops_leftovers_only_at_shutdown()
    {
        using var stop = new CancellationTokenSource();
        var program = Program();
        program.Exit(0);
        var launcher = new FakeLauncher(_clock, program);
        var running = Supervisor(launcher, WrapMode.Ignore).RunAsync(stop.Token);
        await launcher.NextStartAsync();

        _clock.Advance(TimeSpan.FromHours(1)); // far past any back-off or grace period
        Assert.False(running.IsCompleted);

        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(Bound));
        Assert.Equal([(SigTerm, TimeSpan.FromHours(1))], program.Signals);
        Assert.Equal(1, launcher.StartCount);
    }

    [Theory]
    [InlineData("4 5901\n", "127.0.0.1", 5901)]
    [InlineData("6 40000", "::1", 40000)]
    public void Port_reports_name_the_loopback_address_of_their_family(string message, string host, int port)
    {
        var endpoint = PortReports.Parse(message);
        Assert.Equal(host, endpoint!.Host);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("5 5901")]
    [InlineData("4 0")]
    [InlineData("4 70000")]
    [InlineData("garbage")]
    public void Malformed_port_reports_are_ignored(string message) => Assert.Null(PortReports.Parse(message));

    [Fact]
    public async Task Respawn_mode_gives_up_with_status_1_when_a_minute_would_hold_more_restarts_than_the_limit()
    {
        // Quick failures: starts at 0, 1, 3 and 7 s (the back-off); with at most 3 restarts a minute the
        // fourth restart, due at 15 s, is refused.
        var failures = Enumerable.Range(0, 5).Select(i => Program(100 + i)).ToArray();
        foreach (var failing in failures)
        {
            failing.Exit(1);
        }

        var launcher = new FakeLauncher(_clock, failures);
        var running = Supervisor(launcher, WrapMode.Respawn, maxRespawns: 3).RunAsync(CancellationToken.None);

        var previous = (await launcher.NextStartAsync()).At;
        foreach (var delay in new[] { 1, 2, 4 }.Select(s => Seconds(s)))
        {
            await _clock.WaitForTimerAsync(delay, armedAt: previous);
            _clock.Advance(delay);
            previous = (await launcher.NextStartAsync()).At;
        }

        Assert.Equal(ProgramSupervisor.RespawnLimitStatus, await running.WaitAsync(Bound));
        Assert.Equal(4, launcher.StartCount); // the first start and three restarts, no more
        Assert.Equal(Seconds(7), previous);
    }

    [Fact]
    public async Task Restarts_spread_over_more_than_a_minute_stay_within_the_limit()
    {
        // Each run lasts a minute and a bit: the back-off resets, and no minute holds two restarts.
        using var stop = new CancellationTokenSource();
        var runs = Enumerable.Range(0, 4).Select(i => Program(100 + i)).ToArray();
        runs[^1].ExitsOnSigterm = true;
        var launcher = new FakeLauncher(_clock, runs);
        var running = Supervisor(launcher, WrapMode.Respawn, maxRespawns: 1).RunAsync(stop.Token);

        for (var i = 0; i < runs.Length - 1; i++)
        {
            var started = await launcher.NextStartAsync();
            Assert.Same(runs[i], started.Program);
            _clock.Advance(Seconds(61));
            runs[i].Exit(0);
            await _clock.WaitForTimerAsync(Seconds(1));
            _clock.Advance(Seconds(1));
        }

        Assert.Same(runs[^1], (await launcher.NextStartAsync()).Program);
        Assert.False(running.IsCompleted);
        await stop.CancelAsync();
        Assert.Null(await running.WaitAsync(Bound));
    }
}
