using System.Net;
using System.Net.Sockets;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A real TCP server on loopback that the daemon proxies to; each connection runs <c>handler</c>.</summary>
internal sealed class TcpTarget : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private TcpTarget(Func<Socket, Task> handler, IPAddress address)
    {
        _listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(address, 0));
        _listener.Listen(512);
        _acceptLoop = AcceptLoopAsync(handler);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public string Address => $"127.0.0.1:{Port}";

    public int Accepted => Volatile.Read(ref _accepted);

    public static TcpTarget Start(Func<Socket, Task> handler, IPAddress? address = null) => new(handler, address ?? IPAddress.Loopback);

    /// <summary>Echoes every byte back, then closes after the client's FIN.</summary>
    public static TcpTarget Echo() => Start(async socket =>
    {
        var buffer = new byte[65536];
        while (true)
        {
            var read = await socket.ReceiveAsync(buffer);
            if (read == 0)
            {
                break;
            }

            await socket.SendAsync(buffer.AsMemory(0, read));
        }

        socket.Shutdown(SocketShutdown.Send);
    });

    /// <summary>A port on which nothing listens (bound, then closed).</summary>
    public static int UnusedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        await Task.WhenAny(Task.WhenAll(_connections.Append(_acceptLoop)), Task.Delay(TimeSpan.FromSeconds(5)));
    }

    private async Task AcceptLoopAsync(Func<Socket, Task> handler)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            Interlocked.Increment(ref _accepted);
            lock (_connections)
            {
                _connections.Add(RunAsync(socket, handler));
            }
        }
    }

    private static async Task RunAsync(Socket socket, Func<Socket, Task> handler)
    {
        using (socket)
        {
            try
            {
                await handler(socket);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }
    }
}
