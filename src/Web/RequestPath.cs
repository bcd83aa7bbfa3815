using System.Text;

namespace Websockify.Web;

/// <summary>
/// A request target that passed <see cref="WebPath"/>: the decoded path segments (each non-empty, none
/// <c>.</c> or <c>..</c>, none holding <c>/</c>, <c>\</c> or a control character), whether the path
/// ended in <c>/</c>, and the raw query, kept only for redirects.
/// </summary>
internal sealed record RequestPath(IReadOnlyList<string> Segments, bool TrailingSlash, string? Query)
{
    public bool IsRoot => Segments.Count == 0;

    /// <summary>The path relative to the web root, segments joined with <c>/</c>; empty for the root.</summary>
    public string Relative => string.Join('/', Segments);

    /// <summary>The decoded path as a directory, for a listing's title: <c>/a b/c/</c>.</summary>
    public string DisplayDirectory => IsRoot ? "/" : "/" + Relative + "/";

    /// <summary>
    /// Where a directory named without its trailing slash is redirected: built from the decoded,
    /// normalised segments, re-encoded, never from the raw target. It always starts with one <c>/</c>
    /// followed by something else, so a browser cannot read it as <c>//host/…</c> (CVE-2021-3654).
    /// </summary>
    public string DirectoryLocation
    {
        get
        {
            var location = new StringBuilder();
            foreach (var segment in Segments)
            {
                location.Append('/').Append(UrlEncoding.EncodeSegment(segment));
            }

            location.Append('/');
            if (Query is not null)
            {
                location.Append('?').Append(UrlEncoding.EncodeQuery(Query));
            }

            return location.ToString();
        }
    }
}
