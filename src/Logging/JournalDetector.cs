using System.Globalization;
using Websockify.Interop;

namespace Websockify.Logging;

/// <summary>
/// systemd sets JOURNAL_STREAM=DEV:INODE for a service whose stderr is the journal; comparing it with
/// fd 2 (not just checking that it is set) avoids journal framing when a child of such a service has
/// its stderr redirected elsewhere.
/// </summary>
internal static class JournalDetector
{
    public static bool StderrIsJournal(string? journalStream)
    {
        if (string.IsNullOrEmpty(journalStream))
        {
            return false;
        }

        var parts = journalStream.Split(':');
        return parts.Length == 2
            && ulong.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var device)
            && ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            && LibC.TryGetDeviceAndInode(2, out var actualDevice, out var actualInode)
            && device == actualDevice
            && inode == actualInode;
    }
}
