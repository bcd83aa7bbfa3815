using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on loopback for one test, without persistence, stopped by its PID. It can
/// be stopped and started again on the same port (a Redis that goes down and comes back); its data are
/// gone then, as with <c>--save ''</c>. <see cref="SetAsync"/> speaks RESP itself: no client library.
/// </summary>
internal sealed class RedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string? _password;
    private Process? _process;

    private RedisServer(int port, string? password)
    {
        Port = port;
        _password = password;
    }

    public int Port { get; }

    public static async Task<RedisServer> StartAsync(string? password = null, int? port = null)
    {
        var server = new RedisServer(port ?? TcpTarget.UnusedPort(), password);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the process (again) on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("redis-server is still running");
        }

        var psi = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        string[] args = ["--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--databases", "16"];
        foreach (var arg in _password is null ? args : [.. args, "--requirepass", _password])
        {
            psi.ArgumentList.Add(arg);
        }

        var process = Process.Start(psi)!;
        _process = process;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(StartTimeout)) != ready.Task)
        {
            await StopAsync();
            lock (output)
            {
                throw new InvalidOperationException("redis-server did not start:\n" + output);
            }
        }
    }

    /// <summary>Kills the process (by its PID) and waits for it: the port is closed when this returns.</summary>
    public async Task StopAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        process.Dispose();
    }

    /// <summary>SET key value in <paramref name="database"/>, authenticated when the server has a password.</summary>
    public async Task SetAsync(string key, string value, int database = 0) => await SetAsync(key, Encoding.UTF8.GetBytes(value), database);

    public async Task SetAsync(string key, byte[] value, int database = 0) => await RunAsync(database, [Bytes("SET"), Bytes(key), value]);

    /// <summary>RPUSH: a key that holds a list, not a string.</summary>
    public async Task PushAsync(string key, string value) => await RunAsync(0, [Bytes("RPUSH"), Bytes(key), Bytes(value)]);

    private async Task RunAsync(int database, byte[][] command)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), timeout.Token);
        await using var stream = new NetworkStream(socket);
        var commands = new List<byte[][]>();
        if (_password is not null)
        {
            commands.Add([Bytes("AUTH"), Bytes(_password)]);
        }

        commands.Add([Bytes("SELECT"), Bytes(database.ToString())]);
        commands.Add(command);
        foreach (var each in commands)
        {
            await stream.WriteAsync(Command(each), timeout.Token);
            var reply = await ReadLineAsync(stream, timeout.Token); // +OK or :N
            if (reply is not ['+' or ':', ..])
            {
                throw new InvalidOperationException($"redis-server answered {reply} to {Encoding.UTF8.GetString(each[0])}");
            }
        }
    }

    /// <summary>How many clients the server has now, this query's own connection included (INFO clients).</summary>
    public async Task<int> ConnectedClientsAsync()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port), timeout.Token);
        await using var stream = new NetworkStream(socket);
        if (_password is not null)
        {
            await stream.WriteAsync(Command([Bytes("AUTH"), Bytes(_password)]), timeout.Token);
            await ReadLineAsync(stream, timeout.Token);
        }

        await stream.WriteAsync(Command([Bytes("INFO"), Bytes("clients")]), timeout.Token);
        var header = await ReadLineAsync(stream, timeout.Token); // $LENGTH
        var body = new byte[int.Parse(header.AsSpan(1)) + 2];
        await stream.ReadExactlyAsync(body, timeout.Token);
        var line = Encoding.ASCII.GetString(body).Split("\r\n").Single(l => l.StartsWith("connected_clients:", StringComparison.Ordinal));
        return int.Parse(line.AsSpan("connected_clients:".Length));
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    private static byte[] Command(byte[][] parts)
    {
        var buffer = new MemoryStream();
        buffer.Write(Encoding.ASCII.GetBytes($"*{parts.Length}\r\n"));
        foreach (var part in parts)
        {
            buffer.Write(Encoding.ASCII.GetBytes($"${part.Length}\r\n"));
            buffer.Write(part);
            buffer.Write("\r\n"u8);
        }

        return buffer.ToArray();
    }

    /// <summary>One simple-string or error reply, up to CRLF.</summary>
    private static async Task<string> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 1024 && await stream.ReadAsync(one, cancellationToken) == 1)
        {
            if (one[0] == '\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }

        throw new IOException("redis-server closed the connection or sent a long line: " + line);
    }
}
