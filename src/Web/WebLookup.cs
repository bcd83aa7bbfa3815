namespace Websockify.Web;

internal enum WebLookupKind
{
    /// <summary>Missing, or reached only through a symbolic link out of the root: 404.</summary>
    NotFound,

    /// <summary>There, but not to be served: no permission, or not a regular file or directory (fifo, socket, device): 403.</summary>
    Forbidden,

    File,
    Directory,
}

/// <summary>What a path under the web root turned out to be. <see cref="File"/> is owned by the receiver.</summary>
internal sealed record WebLookup(WebLookupKind Kind, string RealPath, string Reason, OpenedFile? File = null)
{
    /// <summary>A NotFound because the real path lies outside the root: worth telling the operator.</summary>
    public bool OutsideRoot { get; init; }

    public static WebLookup NotFound(string reason) => new(WebLookupKind.NotFound, "", reason);

    public static WebLookup Forbidden(string realPath, string reason) => new(WebLookupKind.Forbidden, realPath, reason);
}
