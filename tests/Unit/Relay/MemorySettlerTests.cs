using Microsoft.Extensions.Time.Testing;
using Websockify.Relay;

namespace Websockify.Tests.Unit.Relay;

public sealed class MemorySettlerTests
{
    private readonly FakeTimeProvider _time = new();
    private int _collections;

    [Fact]
    public void A_burst_of_sessions_is_followed_by_one_collection_after_a_whole_quiet_spell()
    {
        using var settler = new MemorySettler(_time, () => _collections++);
        Churn(settler, MemorySettler.Churn);
        _time.Advance(MemorySettler.Quiet); // the burst fell into this spell: not quiet yet
        Assert.Equal(0, _collections);

        _time.Advance(MemorySettler.Quiet);
        Assert.Equal(1, _collections);

        _time.Advance(TimeSpan.FromHours(1)); // disarmed: an idle daemon is not woken again
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void A_few_sessions_do_not_make_a_collection_worth_its_pause()
    {
        using var settler = new MemorySettler(_time, () => _collections++);
        Churn(settler, MemorySettler.Churn - 1);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _collections);
    }

    [Fact]
    public void While_sessions_keep_coming_it_waits_and_collects_after_they_stop()
    {
        using var settler = new MemorySettler(_time, () => _collections++);
        for (var second = 0; second < 30; second++)
        {
            Churn(settler, 100);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(0, _collections);
        PassQuietSpells(2);
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Small_bursts_add_up_until_they_are_worth_a_collection()
    {
        using var settler = new MemorySettler(_time, () => _collections++);
        Churn(settler, MemorySettler.Churn / 2);
        PassQuietSpells(2);
        Assert.Equal(0, _collections);

        Churn(settler, MemorySettler.Churn / 2);
        PassQuietSpells(2);
        Assert.Equal(1, _collections);
    }

    [Fact]
    public void Sessions_after_disposal_are_ignored()
    {
        var settler = new MemorySettler(_time, () => _collections++);
        settler.Dispose();
        Churn(settler, MemorySettler.Churn);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, _collections);
    }

    /// <summary>Spell by spell: the fake clock re-arms a timer from where one Advance ends, not from when it fired.</summary>
    private void PassQuietSpells(int spells)
    {
        for (var i = 0; i < spells; i++)
        {
            _time.Advance(MemorySettler.Quiet);
        }
    }

    private static void Churn(MemorySettler settler, int count)
    {
        for (var i = 0; i < count; i++)
        {
            settler.Changed();
        }
    }
}
