using System.Net.Sockets;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A Unix stream socket server the daemon proxies to (<c>--unix-target</c>); each connection runs <c>handler</c>.</summary>
internal sealed class UnixTarget : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _accepted;

    private UnixTarget(string path, Func<Socket, Task> handler)
    {
        Path = path;
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        _listener.Listen(64);
        _acceptLoop = AcceptLoopAsync(handler);
    }

    public string Path { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    public static UnixTarget Start(string path, Func<Socket, Task> handler) => new(path, handler);

    /// <summary>Echoes every byte back, then closes after the client's FIN.</summary>
    public static UnixTarget Echo(string path) => Start(path, async socket =>
    {
        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read));
        }

        socket.Shutdown(SocketShutdown.Send);
    });

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Dispose();
        File.Delete(Path);
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
