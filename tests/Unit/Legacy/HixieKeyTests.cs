using System.Text;
using Websockify.Legacy;

namespace Websockify.Tests.Unit.Legacy;

public sealed class HixieKeyTests
{
    /// <summary>The handshake example of draft-hixie-thewebsocketprotocol-76, section 1.3.</summary>
    [Fact]
    public void The_drafts_own_example_gives_the_drafts_answer()
    {
        Assert.True(HixieKey.TryParse("4 @1  46546xW%0l 1 5", out var key1));
        Assert.True(HixieKey.TryParse("12998 5 Y3 1  .P00", out var key2));
        Assert.Equal(829309203u, key1);
        Assert.Equal(259970620u, key2);

        var answer = HixieKey.Answer(key1, key2, "^n:ds[4U"u8);

        Assert.Equal("8jKS'y:G*Co,Wxa-", Encoding.Latin1.GetString(answer));
    }

    [Theory]
    [InlineData("12345", "no spaces")]
    [InlineData("1 0 1", "101 / 2 leaves a remainder")]
    [InlineData("99999999999 ", "over 32 bits after the division")]
    [InlineData("9999999999999999999999 1", "more digits than 64 bits")]
    public void Invalid_keys_are_refused(string key, string why) =>
        Assert.False(HixieKey.TryParse(key, out _), why);

    [Fact]
    public void The_largest_number_that_fits_is_accepted()
    {
        Assert.True(HixieKey.TryParse("858993459 0 ", out var value)); // 8589934590 / 2
        Assert.Equal(4294967295u, value);
    }
}
