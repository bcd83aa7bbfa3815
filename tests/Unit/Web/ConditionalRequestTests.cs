using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>RFC 9110 §13.2.2 for GET and HEAD: If-None-Match first, If-Modified-Since only without it.</summary>
public sealed class ConditionalRequestTests
{
    private const long ModifiedNs = 1_700_000_000_123_456_789;
    private static readonly string Tag = ConditionalRequest.EntityTag(1234, ModifiedNs);
    private static readonly DateTimeOffset Modified = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void Entity_tag_changes_with_size_and_with_modification_time()
    {
        Assert.Equal("\"4d2-17979cfe3d85cd15\"", Tag);
        Assert.NotEqual(Tag, ConditionalRequest.EntityTag(1235, ModifiedNs));
        Assert.NotEqual(Tag, ConditionalRequest.EntityTag(1234, ModifiedNs + 1));
    }

    [Fact]
    public void Last_modified_is_whole_seconds_and_never_in_the_future()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        Assert.Equal(Modified, ConditionalRequest.LastModified(ModifiedNs, now));
        var earlier = DateTimeOffset.FromUnixTimeSeconds(1_600_000_000).AddMilliseconds(700);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_600_000_000), ConditionalRequest.LastModified(ModifiedNs, earlier));
    }

    [Theory]
    [InlineData("\"4d2-17979cfe3d85cd15\"", true)]
    [InlineData("W/\"4d2-17979cfe3d85cd15\"", true)] // weak comparison
    [InlineData("\"other\", \"4d2-17979cfe3d85cd15\"", true)]
    [InlineData("\"a,b\",W/\"4d2-17979cfe3d85cd15\"", true)] // a comma inside a tag is not a separator
    [InlineData("*", true)]
    [InlineData("\"4d2-17979cfe3d85cd16\"", false)]
    [InlineData("4d2-17979cfe3d85cd15", false)] // unquoted: malformed
    [InlineData("\"4d2-17979cfe3d85cd15", false)]
    [InlineData("", false)]
    public void If_none_match_compares_entity_tags(string header, bool notModified) =>
        Assert.Equal(notModified, ConditionalRequest.IsNotModified(header, null, Tag, Modified));

    [Fact]
    public void If_none_match_decides_alone_when_present() =>
        Assert.False(ConditionalRequest.IsNotModified("\"stale\"", "Tue, 14 Nov 2023 22:13:20 GMT", Tag, Modified));

    [Theory]
    [InlineData("Tue, 14 Nov 2023 22:13:20 GMT", true)] // exactly the modification second
    [InlineData("Wed, 15 Nov 2023 00:00:00 GMT", true)]
    [InlineData("Tue, 14 Nov 2023 22:13:19 GMT", false)]
    [InlineData("Tuesday, 14-Nov-23 22:13:20 GMT", true)] // RFC 850
    [InlineData("Tue Nov 14 22:13:20 2023", true)] // asctime
    [InlineData("Sun Nov  6 08:49:37 1994", false)]
    [InlineData("yesterday", false)]
    [InlineData("Tue, 14 Nov 2023 22:13:20 GMT, Tue, 14 Nov 2023 22:13:20 GMT", false)] // two members: ignored
    public void If_modified_since_compares_whole_seconds(string header, bool notModified) =>
        Assert.Equal(notModified, ConditionalRequest.IsNotModified(null, header, Tag, Modified));

    [Fact]
    public void No_conditions_means_a_full_answer() =>
        Assert.False(ConditionalRequest.IsNotModified(null, null, Tag, Modified));
}
