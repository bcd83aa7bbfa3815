namespace Websockify.Interop;

/// <summary>What stat(2) says about a path or fd, reduced to what the web server and the Unix listener need.</summary>
internal enum FileKind
{
    Regular,
    Directory,

    /// <summary>A Unix socket's file (what --unix-listen binds and replaces).</summary>
    Socket,

    /// <summary>Fifo, character or block device, or a symbolic link (lstat).</summary>
    Other,
}

/// <summary>Kind, size and modification time (nanoseconds since the Unix epoch) of a file.</summary>
internal readonly record struct FileStatus(FileKind Kind, long Size, long ModifiedUnixNanoseconds, ulong Device = 0, ulong Inode = 0);
