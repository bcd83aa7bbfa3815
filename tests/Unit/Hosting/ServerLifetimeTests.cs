using Microsoft.Extensions.Time.Testing;
using Websockify.Hosting;

namespace Websockify.Tests.Unit.Hosting;

/// <summary>--timeout, --idle-timeout and --run-once on a fake clock: when the server ends on its own, and with which words.</summary>
public sealed class ServerLifetimeTests
{
    private readonly FakeTimeProvider _time = new();

    private void AdvanceSeconds(int seconds)
    {
        for (var i = 0; i < seconds; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Fact]
    public async Task Timeout_ends_the_given_seconds_after_launch_whatever_is_open()
    {
        using var lifetime = new ServerLifetime(new LifetimeSettings(5, null, false), _time);
        lifetime.Opened();
        AdvanceSeconds(4);
        Assert.False(lifetime.Ended.IsCompleted);
        AdvanceSeconds(1);
        Assert.Equal("listener exit due to --timeout 5", await lifetime.Ended);
    }

    [Fact]
    public async Task Idle_timeout_ends_after_the_given_seconds_without_a_connection_counted_from_launch()
    {
        using var lifetime = new ServerLifetime(new LifetimeSettings(null, 3, false), _time);
        AdvanceSeconds(2);
        Assert.False(lifetime.Ended.IsCompleted);
        AdvanceSeconds(1);
        Assert.Equal("listener exit due to --idle-timeout 3", await lifetime.Ended);
    }

    [Fact]
    public void An_open_connection_holds_the_idle_timeout_off_and_its_end_restarts_the_clock()
    {
        using var lifetime = new ServerLifetime(new LifetimeSettings(null, 3, false), _time);
        AdvanceSeconds(2);
        lifetime.Opened(); // even a bare probe counts: upstream counts its child processes
        AdvanceSeconds(10);
        Assert.False(lifetime.Ended.IsCompleted);
        lifetime.Closed(wasSession: false);
        AdvanceSeconds(2);
        Assert.False(lifetime.Ended.IsCompleted);
        AdvanceSeconds(1);
        Assert.True(lifetime.Ended.IsCompleted);
    }

    [Fact]
    public async Task Run_once_ends_after_the_first_websocket_session_not_after_probes_or_plain_requests()
    {
        using var lifetime = new ServerLifetime(new LifetimeSettings(null, null, true), _time);
        Assert.True(lifetime.OneAtATime);
        lifetime.Opened();
        lifetime.Closed(wasSession: false);
        AdvanceSeconds(100);
        Assert.False(lifetime.Ended.IsCompleted);
        lifetime.Opened();
        lifetime.Closed(wasSession: true);
        Assert.Equal("exiting due to --run-once", await lifetime.Ended);
    }

    [Fact]
    public void Without_any_of_them_the_server_never_ends_on_its_own()
    {
        using var lifetime = new ServerLifetime(LifetimeSettings.Forever, _time);
        lifetime.Opened();
        lifetime.Closed(wasSession: true);
        AdvanceSeconds(1000);
        Assert.False(lifetime.Ended.IsCompleted);
        Assert.False(lifetime.OneAtATime);
    }
}
