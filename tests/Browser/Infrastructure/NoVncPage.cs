using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>
/// noVNC's page open in headless Chromium, driven by tests/Browser/novnc.mjs (playwright-core) in the
/// machine's node. The script's JSON lines are its answers; console errors, failed requests and HTTP
/// errors are kept for failure messages. Stopped by PID: node, and Chromium's process group if
/// Playwright's close() left it.
/// </summary>
internal sealed class NoVncPage : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _node;
    private readonly string _userDataDir;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Channel<JsonElement> _answers = Channel.CreateUnbounded<JsonElement>();
    private readonly ConcurrentBag<int> _chromiumPids = [];

    private NoVncPage(Process node, string userDataDir)
    {
        _node = node;
        _userDataDir = userDataDir;
    }

    /// <summary>noVNC's status line once connected ("Connected (unencrypted) to NAME").</summary>
    public string Status { get; private set; } = "";

    public string Url { get; private set; } = "";

    /// <summary>Everything the script and Chromium reported, for failure messages.</summary>
    public string Log => string.Join("\n", _lines);

    public static async Task<NoVncPage> OpenAsync(string url, IEnumerable<string>? chromiumFlags = null)
    {
        await NodeDependencies.EnsureAsync();
        var userDataDir = Directory.CreateTempSubdirectory("websockify-chromium-").FullName;
        var psi = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = NodeDependencies.Directory,
        };
        foreach (var arg in new[] { Path.Combine(NodeDependencies.Directory, "novnc.mjs"), url, userDataDir }.Concat(chromiumFlags ?? []))
        {
            psi.ArgumentList.Add(arg);
        }

        var node = new Process { StartInfo = psi };
        var page = new NoVncPage(node, userDataDir);
        node.OutputDataReceived += (_, e) => page.OnLine(e.Data);
        node.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                page._lines.Enqueue("stderr: " + e.Data);
            }
        };
        node.Start();
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            var first = await page.NextAnswerAsync(ConnectTimeout);
            if (first.GetProperty("event").GetString() != "connected")
            {
                throw new InvalidOperationException($"noVNC did not connect to {url}:\n{page.Log}");
            }

            page.Status = first.GetProperty("status").GetString() ?? "";
            page.Url = first.GetProperty("url").GetString() ?? "";
            return page;
        }
        catch
        {
            await page.DisposeAsync();
            throw;
        }
    }

    public async Task<CanvasSample> SampleAsync()
    {
        var answer = await AskAsync("sample", "sample");
        if (!answer.GetProperty("canvas").GetBoolean())
        {
            throw new InvalidOperationException($"noVNC's page has no canvas:\n{Log}");
        }

        return new CanvasSample(
            answer.GetProperty("width").GetInt32(), answer.GetProperty("height").GetInt32(),
            answer.GetProperty("centre").GetString()!,
            [.. answer.GetProperty("corners").EnumerateArray().Select(c => c.GetString()!)],
            answer.GetProperty("differing").GetInt32());
    }

    /// <summary>Samples until the whole canvas is <paramref name="colour"/>; the last sample either way.</summary>
    public async Task<CanvasSample> WaitForSolidAsync(string colour, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var sample = await SampleAsync();
            if (sample.IsSolid(colour) || DateTime.UtcNow >= deadline)
            {
                return sample;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Saves the page as build/test-results/browser-NAME.png, for a person to look at.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var directory = Path.Combine(RepositoryPaths.Root, "build", "test-results");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"browser-{name}.png");
        await AskAsync($"screenshot {path}", "screenshot");
        return path;
    }

    /// <summary>"quit" lets Playwright close Chromium; then node and Chromium's group are killed by PID if still there.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_node.HasExited)
        {
            try
            {
                await _node.StandardInput.WriteLineAsync("quit");
                _node.StandardInput.Close();
            }
            catch (IOException)
            {
                // node already closed its end.
            }

            if (!await ExitedWithinAsync(TimeSpan.FromSeconds(15)))
            {
                TryKill(_node.Id, Signals.SIGKILL);
                await ExitedWithinAsync(TimeSpan.FromSeconds(5));
            }
        }

        foreach (var pid in _chromiumPids.Distinct())
        {
            // Playwright starts Chromium as a process group leader; a PID no longer Chromium's is left alone.
            if (IsChromium(pid))
            {
                TryKill(-pid, Signals.SIGKILL);
            }
        }

        _node.Dispose();
        try
        {
            Directory.Delete(_userDataDir, recursive: true);
        }
        catch (IOException)
        {
            // A Chromium child may still be writing into it for a moment; it is under /tmp.
        }
    }

    private static bool IsChromium(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("chromium", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void TryKill(int pid, int signal)
    {
        try
        {
            Signals.Send(pid, signal);
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
    }

    private async Task<JsonElement> AskAsync(string command, string expectedEvent)
    {
        await _node.StandardInput.WriteLineAsync(command);
        await _node.StandardInput.FlushAsync();
        var answer = await NextAnswerAsync(AnswerTimeout);
        if (answer.GetProperty("event").GetString() != expectedEvent)
        {
            throw new InvalidOperationException($"'{command}' was answered with {answer}:\n{Log}");
        }

        return answer;
    }

    private async Task<JsonElement> NextAnswerAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _answers.Reader.ReadAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"novnc.mjs did not answer within {timeout.TotalSeconds} s:\n{Log}");
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"novnc.mjs ended:\n{Log}");
        }
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_node.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return _node.HasExited;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            _answers.Writer.TryComplete(); // node's stdout ended, with or without its "closed" line
            return;
        }

        _lines.Enqueue(line);
        if (!line.StartsWith('{'))
        {
            return;
        }

        JsonElement message;
        try
        {
            message = JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        switch (message.GetProperty("event").GetString())
        {
            case "launched":
                foreach (var pid in message.GetProperty("pids").EnumerateArray())
                {
                    _chromiumPids.Add(pid.GetInt32());
                }

                break;
            case "connected" or "sample" or "screenshot" or "error":
                _answers.Writer.TryWrite(message);
                break;
            case "closed":
                _answers.Writer.TryComplete();
                break;
        }
    }
}
