using System.Text.RegularExpressions;
using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>Directory redirects are built from the decoded, normalised path and can never leave the host (CVE-2021-3654).</summary>
public sealed partial class RedirectTests
{
    private static string LocationFor(string target)
    {
        Assert.True(WebPath.TryParse(target, out var path, out var reason), reason);
        return path.DirectoryLocation;
    }

    [Theory]
    [InlineData("/app", "/app/")]
    [InlineData("/app?x=1&y", "/app/?x=1&y")]
    [InlineData("//app", "/app/")]
    [InlineData("///evil.example", "/evil.example/")]
    [InlineData("//evil.example//x", "/evil.example/x/")]
    [InlineData("/a%20b", "/a%20b/")]
    [InlineData("/%C3%A9", "/%C3%A9/")]
    [InlineData("/%3Fx", "/%3Fx/")] // an encoded '?' stays part of the name
    [InlineData("/%23x", "/%23x/")]
    [InlineData("/%25", "/%25/")]
    [InlineData("/a:b", "/a%3Ab/")]
    [InlineData("/q?a=\"<x>\"", "/q/?a=%22%3Cx%3E%22")]
    public void Location_is_the_reencoded_normalised_path(string target, string location) =>
        Assert.Equal(location, LocationFor(target));

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("//evil.example/")]
    [InlineData("///evil.example/x")]
    [InlineData("/%2F%2Fevil.example")] // refused by WebPath, see below
    [InlineData("//evil.example/%2f..")]
    [InlineData("/\\evil.example")]
    [InlineData("//evil.example?//x")]
    public void No_location_starts_with_two_slashes(string target)
    {
        if (WebPath.TryParse(target, out var path, out _))
        {
            Assert.Matches(SafeLocation(), path.DirectoryLocation);
        }
    }

    [Fact]
    public void Cve_2021_3654_target_is_refused_outright() =>
        Assert.False(WebPath.TryParse("//evil.example/%2f..", out _, out _));

    [GeneratedRegex(@"^/[^/\\]")]
    private static partial Regex SafeLocation();
}
