namespace Websockify.Web;

/// <summary>
/// <c>--web DIR</c> and <c>--file-only</c>. <paramref name="Root"/> is absolute (made so against the
/// working directory at start-up): upstream chdirs into DIR, we keep the path instead.
/// </summary>
internal sealed record WebSettings(string Root, bool FileOnly);
