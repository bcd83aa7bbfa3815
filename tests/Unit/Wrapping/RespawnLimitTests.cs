using Microsoft.Extensions.Time.Testing;
using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

public sealed class RespawnLimitTests
{
    [Fact]
    public void At_most_n_restarts_in_any_minute()
    {
        var time = new FakeTimeProvider();
        var limit = new RespawnLimit(3, time);

        Assert.True(limit.TryRestart());
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(limit.TryRestart());
        Assert.True(limit.TryRestart());
        Assert.False(limit.TryRestart());
        time.Advance(TimeSpan.FromSeconds(49)); // the first is 59 s old: still inside the minute
        Assert.False(limit.TryRestart());
        time.Advance(TimeSpan.FromSeconds(1)); // now it is a minute old
        Assert.True(limit.TryRestart());
        Assert.False(limit.TryRestart());
    }

    [Fact]
    public void Zero_is_no_limit()
    {
        var limit = new RespawnLimit(0, new FakeTimeProvider());
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(limit.TryRestart());
        }
    }
}
