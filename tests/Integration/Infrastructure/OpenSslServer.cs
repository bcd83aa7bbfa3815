using System.Diagnostics;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A TLS target made by the real <c>openssl s_server</c> on loopback: what a client sends appears on its
/// stdout (with its own diagnostics, such as the SNI it received); a line written to its stdin goes to the client.
/// </summary>
internal sealed class OpenSslServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _reading;
    private readonly TaskCompletionSource<int> _port = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private OpenSslServer(Process process)
    {
        _process = process;
        _reading = ReadAsync();
        _ = DrainErrorsAsync();
    }

    public int Port => _port.Task.Result;

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

    /// <param name="extra">Protocol and SNI options: <c>-tls1_2</c>, <c>-servername NAME -cert2 C -key2 K</c>.</param>
    public static async Task<OpenSslServer> StartAsync(string certPath, string keyPath, params string[] extra)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["s_server", "-accept", "127.0.0.1:0", "-cert", certPath, "-key", keyPath, .. extra])
        {
            psi.ArgumentList.Add(arg);
        }

        var server = new OpenSslServer(Process.Start(psi)!);
        if (await Task.WhenAny(server._port.Task, Task.Delay(StartTimeout)) != server._port.Task)
        {
            var output = server.Output;
            await server.DisposeAsync();
            throw new InvalidOperationException("openssl s_server did not start:\n" + output);
        }

        return server;
    }

    /// <summary>A line for the connected client (s_server sends what it reads from stdin).</summary>
    public async Task SendLineAsync(string line)
    {
        await _process.StandardInput.WriteAsync(line + "\n");
        await _process.StandardInput.FlushAsync();
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"'{text}' not in openssl s_server's output:\n{Output}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(); // this one child, by its PID
        }
        catch (InvalidOperationException)
        {
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await _reading.WaitAsync(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    /// <summary>Character by character: client data has no line ends.</summary>
    private async Task ReadAsync()
    {
        var buffer = new char[4096];
        int read;
        while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
        {
            string text;
            lock (_output)
            {
                _output.Append(buffer, 0, read);
                text = _output.ToString();
            }

            if (!_port.Task.IsCompleted && text.IndexOf("ACCEPT 127.0.0.1:", StringComparison.Ordinal) is >= 0 and var at
                && text.IndexOf('\n', at) is > 0 and var end)
            {
                _port.TrySetResult(int.Parse(text.AsSpan(at + 17, end - at - 17)));
            }
        }
    }

    private async Task DrainErrorsAsync()
    {
        var errors = await _process.StandardError.ReadToEndAsync();
        lock (_output)
        {
            _output.Append(errors);
        }
    }
}
