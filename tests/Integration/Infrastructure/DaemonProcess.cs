using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// The real <c>build/bin/websockify</c>, started for one test with a listen port of 0 and stopped
/// (by PID) when the test ends. Its stderr is collected line by line for assertions.
/// </summary>
internal sealed partial class DaemonProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonProcess(Process process)
    {
        _process = process;
    }

    public int Port => _port.Task.Result;

    public int Pid => _process.Id;

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    /// <summary>Starts any command (systemd-socket-activate wrapping the daemon) without waiting for a banner.</summary>
    public static DaemonProcess StartCommand(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null) =>
        Launch(fileName, args, environment, null);

    public static async Task<DaemonProcess> StartAsync(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null, string? binary = null)
    {
        var daemon = Launch(binary ?? RepositoryPaths.Binary, args, environment, workingDirectory);
        var exited = daemon._process.WaitForExitAsync();
        var first = await Task.WhenAny(daemon._port.Task, exited, Task.Delay(StartTimeout));
        if (first != daemon._port.Task)
        {
            var output = string.Join("\n", daemon._lines);
            await daemon.DisposeAsync();
            throw new InvalidOperationException($"websockify did not start listening:\n{output}");
        }

        return daemon;
    }

    /// <summary>Runs to completion (for command-line checks): exit code, stdout, stderr.</summary>
    public static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => RunAsync(TimeSpan.FromSeconds(20), args);

    /// <summary>Runs to completion within <paramref name="limit"/>: exit code, stdout, stderr.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo(RepositoryPaths.Binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the process to exit and returns its exit code, or null on timeout.</summary>
    /// <remarks>
    /// Polls instead of Process.WaitForExitAsync, which also waits for the end of the redirected output:
    /// a wrapped program that inherited those pipes would hold that up.
    /// </remarks>
    public async Task<int?> WaitForExitAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_process.HasExited)
        {
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }

            await Task.Delay(20);
        }

        // The last lines may still be in the pipe: wait for its end, but not for a child that inherited it.
        await Task.WhenAny(_stderrEnded.Task, Task.Delay(TimeSpan.FromSeconds(2)));
        return _process.ExitCode;
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = _lines.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching log line; got:\n{string.Join("\n", _lines)}");
    }

    /// <summary>Waits until at least <paramref name="count"/> log lines match (for events that repeat).</summary>
    public async Task WaitForLinesAsync(Func<string, bool> predicate, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (_lines.Count(predicate) < count)
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"fewer than {count} matching log lines; got:\n{string.Join("\n", _lines)}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>How many fds the daemon has open (/proc/PID/fd).</summary>
    public int OpenFds() => Directory.GetFileSystemEntries($"/proc/{_process.Id}/fd").Length;

    /// <summary>The daemon's thread count (/proc/PID/status).</summary>
    public int Threads() =>
        int.Parse(File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal))["Threads:".Length..].Trim());

    /// <summary>Resident memory of the daemon, from /proc.</summary>
    public long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }

    /// <summary>SIGTERM first, so the daemon stops what it wrapped; SIGKILL only if it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signal(Signals.SIGTERM);
            if (await WaitForExitAsync(TimeSpan.FromSeconds(15)) is null)
            {
                Signal(Signals.SIGKILL);
                await WaitForExitAsync(TimeSpan.FromSeconds(5));
            }
        }

        _process.Dispose();
    }

    private static DaemonProcess Launch(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment, string? workingDirectory)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi };
        var daemon = new DaemonProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            daemon.OnLine(e.Data);
            if (e.Data is null)
            {
                daemon._stderrEnded.TrySetResult(); // every line the daemon wrote has been read
            }
        };
        process.OutputDataReceived += (_, e) => daemon.OnLine(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        var match = ListenLine().Match(line.StartsWith('{') ? JsonMessage(line) : line); // --log-format json
        if (match.Success)
        {
            _port.TrySetResult(int.Parse(match.Groups[1].Value));
        }
    }

    private static string JsonMessage(string line)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            return json.RootElement.TryGetProperty("message", out var message) ? message.GetString() ?? "" : "";
        }
        catch (System.Text.Json.JsonException)
        {
            return line;
        }
    }

    [GeneratedRegex(@"- Listen on .*:(\d+)$")]
    private static partial Regex ListenLine();
}
