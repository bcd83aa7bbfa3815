using System.Diagnostics;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// The daemon as systemd starts it with StandardError=journal: its stderr is a file whose device:inode
/// JOURNAL_STREAM names, so it writes journal-framed lines there. Stopped by PID; the file is removed on dispose.
/// </summary>
internal sealed class JournalStderrDaemon : IAsyncDisposable
{
    private readonly Process _shell;

    private JournalStderrDaemon(Process shell, string stderrFile)
    {
        _shell = shell;
        StderrFile = stderrFile;
    }

    public string StderrFile { get; }

    public static async Task<JournalStderrDaemon> StartAsync(IEnumerable<string> args)
    {
        var stderrFile = Path.Combine(Path.GetTempPath(), $"websockify-journal-{Guid.NewGuid():N}.log");
        await File.WriteAllTextAsync(stderrFile, "");
        using var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%d:%i", stderrFile]) { RedirectStandardOutput = true })!;
        var journalStream = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();

        // A shell points the daemon's stderr at that file, as systemd does with the journal's stream.
        var shell = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", $"exec \"$0\" \"$@\" 2>>'{stderrFile}'", RepositoryPaths.Binary, .. args])
        {
            Environment = { ["JOURNAL_STREAM"] = journalStream },
        })!;
        return new JournalStderrDaemon(shell, stderrFile);
    }

    /// <summary>SIGTERM, then waits for the exit; the file then holds everything the daemon logged.</summary>
    public async Task StopAsync()
    {
        if (!_shell.HasExited)
        {
            Signals.Send(_shell.Id, Signals.SIGTERM);
        }

        await _shell.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _shell.Dispose();
        File.Delete(StderrFile);
    }
}
