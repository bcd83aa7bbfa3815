using System.Text;

namespace Websockify.Web;

/// <summary>One name in a directory listing.</summary>
internal readonly record struct ListingEntry(string Name, bool IsDirectory);

/// <summary>
/// The HTML page upstream shows for a directory without an index (its "Directory listing for …" page).
/// Every name is HTML-escaped where it is shown and percent-encoded behind <c>./</c> where it is linked,
/// so no file name can inject markup, script or a URL scheme (a file called <c>javascript:x</c> links to
/// <c>./javascript%3Ax</c>). At most <see cref="Limits.MaxListingEntries"/> names are shown.
/// </summary>
internal static class DirectoryListing
{
    public static byte[] Render(string displayPath, IEnumerable<ListingEntry> entries)
    {
        var sorted = entries
            .Take(Limits.MaxListingEntries + 1)
            .OrderBy(e => e.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(e => e.Name, StringComparer.Ordinal)
            .ToList();
        var title = "Directory listing for " + Html(displayPath);
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.Append("<title>").Append(title).Append("</title>\n</head>\n<body>\n");
        page.Append("<h1>").Append(title).Append("</h1>\n<hr>\n<ul>\n");
        foreach (var entry in sorted.Take(Limits.MaxListingEntries))
        {
            var suffix = entry.IsDirectory ? "/" : "";
            page.Append("<li><a href=\"./").Append(Html(UrlEncoding.EncodeSegment(entry.Name))).Append(suffix).Append("\">")
                .Append(Html(entry.Name)).Append(suffix).Append("</a></li>\n");
        }

        page.Append("</ul>\n");
        if (sorted.Count > Limits.MaxListingEntries)
        {
            page.Append("<p>(only the first ").Append(Limits.MaxListingEntries).Append(" entries are listed)</p>\n");
        }

        page.Append("<hr>\n</body>\n</html>\n");
        return Encoding.UTF8.GetBytes(page.ToString());
    }

    /// <summary>HTML text and attribute escaping; control characters become U+FFFD so a name cannot break the page's lines.</summary>
    public static string Html(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ when char.IsControl(c) => "\uFFFD",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
