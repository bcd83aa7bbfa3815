using System.Text;
using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>The listing page: sorted, every name escaped for HTML and encoded in links.</summary>
public sealed class DirectoryListingTests
{
    private static string Render(string path, params ListingEntry[] entries) => Encoding.UTF8.GetString(DirectoryListing.Render(path, entries));

    [Fact]
    public void Names_are_sorted_and_directories_end_in_a_slash()
    {
        var page = Render("/app/", new("b.js", false), new("A.js", false), new("images", true));
        Assert.Contains("<title>Directory listing for /app/</title>", page);
        var a = page.IndexOf("<li><a href=\"./A.js\">A.js</a></li>", StringComparison.Ordinal);
        var b = page.IndexOf("<li><a href=\"./b.js\">b.js</a></li>", StringComparison.Ordinal);
        var images = page.IndexOf("<li><a href=\"./images/\">images/</a></li>", StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a && images > b, page);
    }

    [Fact]
    public void Markup_in_names_and_path_is_escaped()
    {
        var page = Render("/<script>alert(1)</script>/", new("\"><img src=x onerror=alert(1)>", false), new("a&b'c", false));
        Assert.DoesNotContain("<script>", page);
        Assert.DoesNotContain("<img", page);
        Assert.Contains("Directory listing for /&lt;script&gt;alert(1)&lt;/script&gt;/", page);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</a>", page);
        Assert.Contains("href=\"./%22%3E%3Cimg%20src=x%20onerror=alert(1)%3E\"", page);
        Assert.Contains(">a&amp;b&#39;c</a>", page);
    }

    [Fact]
    public void A_name_cannot_become_a_url_scheme_or_leave_the_directory()
    {
        var page = Render("/", new("javascript:alert(1)", false), new("//evil.example", false), new("?x#y", false));
        Assert.Contains("href=\"./javascript%3Aalert(1)\"", page);
        Assert.Contains("href=\"./%2F%2Fevil.example\"", page);
        Assert.Contains("href=\"./%3Fx%23y\"", page);
    }

    [Fact]
    public void Control_characters_in_names_are_not_written()
    {
        var page = Render("/", new ListingEntry("line\nbreak\u001b[31m", false));
        Assert.DoesNotContain("\u001b", page);
        Assert.Contains(">line\uFFFDbreak\uFFFD[31m</a>", page);
        Assert.Contains("href=\"./line%0Abreak%1B%5B31m\"", page);
    }

    [Fact]
    public void Huge_directories_are_cut_at_the_limit()
    {
        var entries = Enumerable.Range(0, Limits.MaxListingEntries + 5).Select(i => new ListingEntry($"f{i:D6}", false)).ToArray();
        var page = Render("/", entries);
        Assert.Equal(Limits.MaxListingEntries, page.Split("<li>").Length - 1);
        Assert.Contains($"(only the first {Limits.MaxListingEntries} entries are listed)", page);
    }
}
