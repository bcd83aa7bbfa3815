using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Websockify.Interop;

namespace Websockify.Hosting;

/// <summary>The pid file could not be written; start-up fails with this message (exit status 1).</summary>
internal sealed class PidFileException(string message) : Exception(message);

/// <summary>
/// <c>--pid-file</c>: written once the daemon listens, removed when it exits (upstream #121). The file is
/// locked (an fcntl write lock) for as long as the daemon runs: a second daemon given the same path refuses to start
/// instead of taking over, and never deletes the first one's file. Nothing is written through a
/// symbolic link: the content goes to a new file created exclusively beside it, then renamed over the path.
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;
    private readonly SafeFileHandle _locked;

    private PidFile(string path, SafeFileHandle locked)
    {
        _path = path;
        _locked = locked;
    }

    /// <exception cref="PidFileException">Another daemon holds the file, or it cannot be written.</exception>
    public static PidFile Write(string path)
    {
        if (LibC.OpenForReading(path, out _) is { } existing)
        {
            using (existing)
            {
                if (!LibC.TryLockExclusive(existing))
                {
                    throw new PidFileException($"pid file '{path}' is held by another running websockify ({ReadPid(path)})");
                }
            }
        }

        // A fresh name each time, created with O_EXCL|O_NOFOLLOW: a planted file or link is never opened.
        var temporary = $"{path}.{Environment.ProcessId}.{Random.Shared.Next():x8}.tmp";
        var handle = LibC.CreateExclusive(temporary, out var errno)
            ?? throw new PidFileException($"cannot write pid file '{path}': {LibC.Describe(errno)}");
        try
        {
            LibC.TryLockExclusive(handle); // a new inode nobody else has open: cannot fail
            RandomAccess.Write(handle, System.Text.Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"), 0);

            File.Move(temporary, path, overwrite: true); // rename(2) replaces a link at the path, never its target
            return new PidFile(path, handle);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            handle.Dispose();
            TryDelete(temporary);
            throw new PidFileException($"cannot write pid file '{path}': {ex.Message}");
        }
    }

    /// <summary>Removes the file only while it is still the one this daemon wrote (and holds locked).</summary>
    public void Dispose()
    {
        if (LibC.TryGetLinkStatus(_path, out var atPath, out _) && LibC.TryGetStatus(_locked, out var ours)
            && atPath.Device == ours.Device && atPath.Inode == ours.Inode)
        {
            TryDelete(_path);
        }

        _locked.Dispose();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static string ReadPid(string path)
    {
        try
        {
            return "pid " + File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "pid unknown";
        }
    }
}
