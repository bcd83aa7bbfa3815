using Microsoft.Win32.SafeHandles;
using Websockify.Interop;

namespace Websockify.Web;

/// <summary>A regular file under the web root, open for reading, with what fstat said about it once opened.</summary>
internal sealed class OpenedFile(SafeFileHandle handle, FileStatus status, string realPath) : IDisposable
{
    public SafeFileHandle Handle { get; } = handle;

    public FileStatus Status { get; } = status;

    /// <summary>Its real path: the name the Content-Type is chosen by.</summary>
    public string RealPath { get; } = realPath;

    public void Dispose() => Handle.Dispose();
}
