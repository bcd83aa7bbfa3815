using Websockify.Interop;

namespace Websockify.Recording;

/// <summary>
/// Opens a session's recording file. A recording holds what the user typed, passwords included, so
/// the file is the owner's alone (0600, also set on a file that was already there; upstream's are
/// 0666 under <c>-D</c>), is never opened through a symbolic link, and must be a regular file.
/// Upstream truncates an existing file, and so do we.
/// </summary>
internal static class RecordFile
{
    private const int ElementLoop = 40; // ELOOP: what O_NOFOLLOW answers for a symbolic link

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <exception cref="IOException">With the reason, when the file cannot be opened or is not a regular file.</exception>
    public static Stream Open(string path)
    {
        var handle = LibC.CreatePrivateTruncating(path, out var errno)
            ?? throw new IOException(errno == ElementLoop ? "it is a symbolic link" : LibC.Describe(errno));
        try
        {
            if (!LibC.TryGetStatus(handle, out var status) || status.Kind != FileKind.Regular)
            {
                throw new IOException("it is not a regular file");
            }

            File.SetUnixFileMode(handle, OwnerOnly); // a file that existed keeps its mode through open(2)
            return new FileStream(handle, FileAccess.Write, bufferSize: 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }
}
