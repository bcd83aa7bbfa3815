using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A real <c>haproxy</c> (Debian's) in the foreground (<c>-db</c>) for one test, with the configuration
/// the test gives and an admin stats socket the test asks about its servers. Stopped by its PID.
/// </summary>
internal sealed class HaproxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _directory;
    private readonly StringBuilder _output = new();

    private HaproxyProcess(Process process, DirectoryInfo directory)
    {
        _process = process;
        _directory = directory;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string StatsSocket => Path.Combine(_directory.FullName, "stats.sock");

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="configuration">The whole configuration but the global section's stats socket, which is added.</param>
    public static HaproxyProcess Start(string configuration)
    {
        var directory = Directory.CreateTempSubdirectory("websockify-haproxy-");
        var file = Path.Combine(directory.FullName, "haproxy.cfg");
        var stats = Path.Combine(directory.FullName, "stats.sock");
        File.WriteAllText(file, configuration.Replace("global\n", $"global\n    stats socket {stats} mode 600 level admin\n", StringComparison.Ordinal));
        var psi = new ProcessStartInfo("haproxy") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-db", "-f", file })
        {
            psi.ArgumentList.Add(arg);
        }

        return new HaproxyProcess(Process.Start(psi)!, directory);
    }

    /// <summary>Each server of <paramref name="backend"/> and its check status (UP, DOWN, MAINT, ...), from <c>show stat</c>.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ServerStatesAsync(string backend)
    {
        var csv = await CommandAsync("show stat");
        var header = csv.Split('\n')[0].TrimStart('#', ' ').Split(',');
        var status = Array.IndexOf(header, "status");
        var states = new Dictionary<string, string>();
        foreach (var line in csv.Split('\n').Skip(1))
        {
            var fields = line.Split(',');
            if (fields.Length > status && fields[0] == backend && fields[1] is not ("BACKEND" or "FRONTEND"))
            {
                states[fields[1]] = fields[status];
            }
        }

        return states;
    }

    /// <summary>Waits (bounded) until every named server of <paramref name="backend"/> is in <paramref name="state"/>.</summary>
    public async Task WaitForStatesAsync(string backend, IReadOnlyDictionary<string, string> wanted, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        IReadOnlyDictionary<string, string> states = new Dictionary<string, string>();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"haproxy exited {_process.ExitCode}:\n{Output}");
            }

            try
            {
                states = await ServerStatesAsync(backend);
                if (wanted.All(w => states.TryGetValue(w.Key, out var state) && state.StartsWith(w.Value, StringComparison.Ordinal)))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // the stats socket is not there yet
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"haproxy servers {string.Join(", ", states.Select(s => $"{s.Key}={s.Value}"))}, wanted {string.Join(", ", wanted.Select(s => $"{s.Key}={s.Value}"))}:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Signals.Send(_process.Id, Signals.SIGTERM);
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        new TemporaryDirectory(_directory).Dispose();
    }

    private async Task<string> CommandAsync(string command)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(StatsSocket));
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        var answer = new MemoryStream();
        var buffer = new byte[8192];
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        int read;
        while ((read = await socket.ReceiveAsync(buffer, limit.Token)) > 0)
        {
            answer.Write(buffer, 0, read);
        }

        return Encoding.ASCII.GetString(answer.ToArray());
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
