using Websockify.Wrapping;

namespace Websockify.Tests.Unit.Wrapping;

public sealed class RespawnBackoffTests
{
    [Fact]
    public void Doubles_from_one_second_up_to_thirty_while_runs_are_short()
    {
        var backoff = new RespawnBackoff();
        var delays = Enumerable.Range(0, 8).Select(_ => backoff.NextDelay(TimeSpan.FromSeconds(2)).TotalSeconds).ToArray();
        Assert.Equal([1, 2, 4, 8, 16, 30, 30, 30], delays);
    }

    [Fact]
    public void A_stable_run_resets_the_delay()
    {
        var backoff = new RespawnBackoff();
        backoff.NextDelay(TimeSpan.Zero);
        backoff.NextDelay(TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.NextDelay(TimeSpan.Zero));
        Assert.Equal(RespawnBackoff.Initial, backoff.NextDelay(RespawnBackoff.StableRun));
        Assert.Equal(TimeSpan.FromSeconds(2), backoff.NextDelay(TimeSpan.Zero));
    }

    [Theory]
    [InlineData("Exit", "StopDaemon")]
    [InlineData("Ignore", "KeepServing")]
    [InlineData("Respawn", "Respawn")]
    public void Decision_by_mode(string mode, string action) =>
        Assert.Equal(Enum.Parse<WrapAction>(action), WrapDecision.After(Enum.Parse<WrapMode>(mode)));
}
