using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>
/// A real TigerVNC <c>Xvnc</c> in the foreground on a free display, no VNC password, loopback only;
/// stopped by PID. <see cref="PaintAsync"/> fills its root window with <c>xsetroot -solid</c>.
/// </summary>
internal sealed class XvncServer : IAsyncDisposable
{
    public const string DesktopName = "websockify-browser-test";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private XvncServer(Process process, int display, int port)
    {
        _process = process;
        Display = display;
        Port = port;
    }

    public int Display { get; }

    /// <summary>The RFB port, on 127.0.0.1.</summary>
    public int Port { get; }

    public string Log => string.Join("\n", _lines);

    /// <summary>
    /// Another run may take the display or the port between the check and Xvnc's bind (other worktrees
    /// test at the same time): Xvnc then exits at once, and another display and port are tried.
    /// </summary>
    public static async Task<XvncServer> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync();
            }
            catch (XvncExitedException) when (attempt < 3)
            {
            }
        }
    }

    private static async Task<XvncServer> StartOnceAsync()
    {
        var display = FreeDisplay();
        var port = TcpTarget.UnusedPort();
        var psi = new ProcessStartInfo("Xvnc") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { $":{display}", "-SecurityTypes", "None", "-localhost", "-rfbport", $"{port}",
                     "-geometry", "800x600", "-depth", "24", "-desktop", DesktopName })
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        var server = new XvncServer(process, display, port);
        process.ErrorDataReceived += (_, e) => server.OnLine(e.Data);
        process.OutputDataReceived += (_, e) => server.OnLine(e.Data);
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await server.WaitUntilServingAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    /// <summary>Paints the whole root window one colour (<c>#rrggbb</c>).</summary>
    public async Task PaintAsync(string colour)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var result = await Cli.Wrap("xsetroot").WithArguments(["-solid", colour])
            .WithEnvironmentVariables(e => e.Set("DISPLAY", $":{Display}"))
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(timeout.Token);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"xsetroot -solid {colour} failed ({result.ExitCode}): {result.StandardError}\nXvnc:\n{Log}");
        }
    }

    /// <summary>SIGTERM (Xvnc removes its lock and socket), SIGKILL if it does not exit.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            TrySignal(Signals.SIGTERM);
            if (!await ExitedWithinAsync(TimeSpan.FromSeconds(10)))
            {
                TrySignal(Signals.SIGKILL);
                await ExitedWithinAsync(TimeSpan.FromSeconds(5));
            }
        }

        _process.Dispose();
    }

    /// <summary>A display whose lock file and socket are both absent (the integration tests use 40–98).</summary>
    private static int FreeDisplay()
    {
        for (var display = 110 + Random.Shared.Next(80); display < 200; display++)
        {
            if (!File.Exists($"/tmp/.X{display}-lock") && !File.Exists($"/tmp/.X11-unix/X{display}"))
            {
                return display;
            }
        }

        throw new InvalidOperationException("no free X display in 110-199");
    }

    /// <summary>Ready once the X socket exists and the RFB port answers with its version greeting.</summary>
    private async Task WaitUntilServingAsync()
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new XvncExitedException($"Xvnc :{Display} exited with {_process.ExitCode}:\n{Log}");
            }

            if (File.Exists($"/tmp/.X11-unix/X{Display}") && await GreetsAsync())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Xvnc :{Display} did not serve port {Port} within {StartTimeout.TotalSeconds} s:\n{Log}");
    }

    private async Task<bool> GreetsAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), timeout.Token);
            var buffer = new byte[12];
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return read > 0 && buffer[0] == (byte)'R';
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private async Task<bool> ExitedWithinAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!_process.HasExited && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        return _process.HasExited;
    }

    private void TrySignal(int signal)
    {
        try
        {
            Signals.Send(_process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // Already gone between the check and the signal.
        }
    }

    private void OnLine(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
