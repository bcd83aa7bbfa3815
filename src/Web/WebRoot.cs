using Websockify.Interop;
using Sys = Tmds.Linux.LibC;

namespace Websockify.Web;

/// <summary>
/// The <c>--web</c> directory and the one way into it. The root's real path is fixed at start-up; every
/// lookup resolves the candidate's real path (all symbolic links, in every component) and requires it to
/// be the root or under it, so a link inside the root that points out of it (or a linked directory on the
/// way) is treated as missing. Only directories and regular files are served; a file is opened with
/// O_NOFOLLOW and O_NONBLOCK and checked again with fstat, so a link or fifo swapped in meanwhile is
/// refused and never blocks.
/// </summary>
internal sealed class WebRoot
{
    private static readonly string[] IndexNames = ["index.html", "index.htm"];

    private WebRoot(string realPath, bool fileOnly)
    {
        RealPath = realPath;
        FileOnly = fileOnly;
    }

    public string RealPath { get; }

    /// <summary><c>--file-only</c>: a directory without an index is a 404 instead of a listing.</summary>
    public bool FileOnly { get; }

    /// <exception cref="WebRootException">The directory is missing, unreadable or not a directory.</exception>
    public static WebRoot Open(WebSettings settings)
    {
        var real = LibC.RealPath(settings.Root, out var errno);
        if (real is null)
        {
            throw new WebRootException($"--web {settings.Root}: {ErrorText(errno)}");
        }

        if (!LibC.TryGetLinkStatus(real, out var status, out errno))
        {
            throw new WebRootException($"--web {settings.Root}: {ErrorText(errno)}");
        }

        if (status.Kind != FileKind.Directory)
        {
            throw new WebRootException($"--web {settings.Root}: not a directory");
        }

        return new WebRoot(real, settings.FileOnly);
    }

    /// <summary>Looks up a path relative to the root (<see cref="RequestPath.Relative"/>).</summary>
    public WebLookup Find(string relative) => Resolve(relative.Length == 0 ? RealPath : RealPath + "/" + relative);

    /// <summary>The directory's index.html, else its index.htm; NotFound when neither is there.</summary>
    public WebLookup FindIndex(string realDirectory)
    {
        var found = WebLookup.NotFound("no index");
        foreach (var name in IndexNames)
        {
            found = Resolve(realDirectory + "/" + name);
            if (found.Kind != WebLookupKind.NotFound)
            {
                break;
            }
        }

        return found.Kind == WebLookupKind.Directory ? WebLookup.NotFound("index is a directory") : found;
    }

    public bool Contains(string realPath) =>
        realPath == RealPath || realPath.StartsWith(RealPath == "/" ? "/" : RealPath + "/", StringComparison.Ordinal);

    private WebLookup Resolve(string candidate)
    {
        var real = LibC.RealPath(candidate, out var errno);
        if (real is null)
        {
            return Failed(candidate, errno);
        }

        if (!Contains(real))
        {
            return WebLookup.NotFound("a symbolic link leads outside the web root") with { OutsideRoot = true };
        }

        if (!LibC.TryGetLinkStatus(real, out var status, out errno))
        {
            return Failed(real, errno);
        }

        switch (status.Kind)
        {
            case FileKind.Directory:
                return new WebLookup(WebLookupKind.Directory, real, "");
            case FileKind.Socket or FileKind.Other:
                return WebLookup.Forbidden(real, "not a regular file");
        }

        var handle = LibC.OpenForReading(real, out errno);
        if (handle is null)
        {
            return Failed(real, errno);
        }

        if (!LibC.TryGetStatus(handle, out status) || status.Kind != FileKind.Regular)
        {
            handle.Dispose();
            return WebLookup.Forbidden(real, "not a regular file");
        }

        return new WebLookup(WebLookupKind.File, real, "", new OpenedFile(handle, status, real));
    }

    private static WebLookup Failed(string path, int errno) =>
        errno == Sys.EACCES || errno == Sys.EPERM ? WebLookup.Forbidden(path, ErrorText(errno)) : WebLookup.NotFound(ErrorText(errno));

    private static string ErrorText(int errno) => errno switch
    {
        _ when errno == Sys.ENOENT => "no such file or directory",
        _ when errno == Sys.ENOTDIR => "not a directory",
        _ when errno == Sys.EACCES || errno == Sys.EPERM => "permission denied",
        _ when errno == Sys.ELOOP => "too many levels of symbolic links",
        _ when errno == Sys.ENAMETOOLONG => "name too long",
        _ => $"error {errno}",
    };
}
