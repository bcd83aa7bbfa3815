using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Plays the service manager's side of sd_notify: a datagram socket the test binds itself.</summary>
internal sealed class NotifyListener : IDisposable
{
    private readonly Socket _socket;
    private readonly DirectoryInfo _directory;
    private readonly ConcurrentQueue<(TimeSpan At, string Message)> _messages = new();
    private readonly long _origin = Stopwatch.GetTimestamp();

    public NotifyListener()
    {
        _directory = Directory.CreateTempSubdirectory("websockify-notify-");
        Path = System.IO.Path.Combine(_directory.FullName, "notify");
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        _ = ReceiveLoopAsync();
    }

    public string Path { get; }

    /// <summary>Every datagram so far with its arrival time (monotonic, since this listener was made).</summary>
    public IReadOnlyList<(TimeSpan At, string Message)> Messages => _messages.ToList();

    /// <summary>Every VAR=value line received so far, in order.</summary>
    public IReadOnlyList<string> Assignments => _messages.SelectMany(m => m.Message.Split('\n')).ToList();

    public async Task<string> WaitForAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var match = Assignments.FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no matching notify message; got: {string.Join(" | ", Assignments)}");
    }

    /// <summary>Waits until <paramref name="count"/> datagrams equal to <paramref name="message"/> arrived; their arrival times.</summary>
    public async Task<TimeSpan[]> WaitForMessagesAsync(string message, int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var arrivals = _messages.Where(m => m.Message == message).Select(m => m.At).ToArray();
            if (arrivals.Length >= count)
            {
                return arrivals;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{arrivals.Length} of {count} '{message}' datagrams; got: {string.Join(" | ", Assignments)}");
            }

            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _directory.Delete(recursive: true);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[4096];
        while (true)
        {
            try
            {
                var read = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                _messages.Enqueue((Stopwatch.GetElapsedTime(_origin), Encoding.UTF8.GetString(buffer, 0, read)));
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }
}
