using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>Request target to path segments: every traversal spelling is refused before the file system is touched.</summary>
public sealed class WebPathTests
{
    private static RequestPath Parsed(string target)
    {
        Assert.True(WebPath.TryParse(target, out var path, out var reason), $"{target} refused: {reason}");
        return path;
    }

    private static string Refused(string target)
    {
        Assert.False(WebPath.TryParse(target, out var path, out var reason), $"{target} accepted as /{path?.Relative}");
        return reason;
    }

    [Theory]
    [InlineData("/", "", true)]
    [InlineData("/vnc.html", "vnc.html", false)]
    [InlineData("/app/ui.js", "app/ui.js", false)]
    [InlineData("/app/", "app", true)]
    [InlineData("/a%20b/c", "a b/c", false)]
    [InlineData("//app//ui.js", "app/ui.js", false)]
    [InlineData("/%C3%A9t%C3%A9.txt", "été.txt", false)]
    [InlineData("/%252e%252e/x", "%2e%2e/x", false)] // decoded once: a literal name, not a dot segment
    [InlineData("/..%2e", "...", false)]
    [InlineData("/.hidden", ".hidden", false)]
    public void Accepted_targets_map_to_decoded_segments(string target, string relative, bool trailingSlash)
    {
        var path = Parsed(target);
        Assert.Equal(relative, path.Relative);
        Assert.Equal(trailingSlash, path.TrailingSlash);
    }

    [Fact]
    public void Query_is_not_part_of_the_lookup_but_is_kept()
    {
        var path = Parsed("/vnc.html?host=x&path=websockify%3Ftoken%3Dabc");
        Assert.Equal("vnc.html", path.Relative);
        Assert.Equal("host=x&path=websockify%3Ftoken%3Dabc", path.Query);
        Assert.Null(Parsed("/vnc.html").Query);
    }

    [Theory]
    [InlineData("/../etc/passwd")]
    [InlineData("/a/../../etc/passwd")]
    [InlineData("/./vnc.html")]
    [InlineData("/%2e%2e/etc/passwd")]
    [InlineData("/%2E%2E/etc/passwd")]
    [InlineData("/.%2e/etc/passwd")]
    [InlineData("/%2e/vnc.html")]
    [InlineData("/..")]
    public void Dot_segments_are_refused_however_spelled(string target) =>
        Assert.Equal("dot segment in path", Refused(target));

    [Theory]
    [InlineData("/..%2fetc%2fpasswd")]
    [InlineData("/%2f%2fetc/passwd")]
    [InlineData("/a%2F..%2F..%2Fetc")]
    [InlineData("/..\\..\\etc\\passwd")]
    [InlineData("/..%5c..%5cetc%5cpasswd")]
    [InlineData("/vnc.html%00.png")]
    [InlineData("/a%0ab")]
    [InlineData("/a%7fb")]
    [InlineData("/a%c2%85b")] // U+0085, a C1 control
    [InlineData("//evil.example/%2f..")]
    [InlineData("//evil.example/%2F..")]
    public void Separators_and_control_characters_inside_a_segment_are_refused(string target) =>
        Assert.Equal("separator or control character in a path segment", Refused(target));

    [Theory]
    [InlineData("/%c0%ae%c0%ae/etc/passwd")] // overlong '.'
    [InlineData("/%c0%af")] // overlong '/'
    [InlineData("/%e0%80%ae")] // three-byte overlong '.'
    [InlineData("/%ff")]
    [InlineData("/%c3")] // truncated sequence
    [InlineData("/%ed%a0%80")] // a UTF-16 surrogate
    [InlineData("/%f4%90%80%80")] // above U+10FFFF
    public void Invalid_and_overlong_utf8_is_refused(string target) =>
        Assert.Equal("path is not valid UTF-8", Refused(target));

    [Theory]
    [InlineData("/%")]
    [InlineData("/%2")]
    [InlineData("/%zz")]
    [InlineData("/a%g0")]
    public void Broken_escapes_are_refused(string target) =>
        Assert.Equal("malformed percent-encoding", Refused(target));

    [Theory]
    [InlineData("http://host/vnc.html")]
    [InlineData("https://evil.example/")]
    [InlineData("*")]
    [InlineData("vnc.html")]
    [InlineData("\\etc\\passwd")]
    public void Only_origin_form_targets_are_served(string target) =>
        Assert.Equal("only origin-form request targets are served", Refused(target));

    [Fact]
    public void Fragments_are_refused() =>
        Assert.Equal("fragment in request target", Refused("/vnc.html#x"));
}
