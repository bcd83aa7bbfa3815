using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>A syslog server the test owns: a UDP socket on 127.0.0.1, or a Unix datagram socket in a temp dir.</summary>
internal sealed class SyslogListener : IDisposable
{
    private readonly Socket _socket;
    private readonly string? _directory;
    private readonly List<byte[]> _datagrams = [];

    private SyslogListener(Socket socket, string address, string? directory)
    {
        _socket = socket;
        Address = address;
        _directory = directory;
    }

    /// <summary>What <c>--syslog</c> takes: <c>127.0.0.1:PORT</c> or the socket's path.</summary>
    public string Address { get; }

    public static SyslogListener Udp()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return new SyslogListener(socket, $"127.0.0.1:{((IPEndPoint)socket.LocalEndPoint!).Port}", null);
    }

    public static SyslogListener Unix()
    {
        var directory = Directory.CreateTempSubdirectory("ws-syslog-").FullName;
        var path = Path.Combine(directory, "log");
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return new SyslogListener(socket, path, directory);
    }

    /// <summary>A UDP port nobody listens on (bound and closed again).</summary>
    public static int UnusedUdpPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Receives until a datagram's text satisfies <paramref name="last"/>; all received so far, raw, in order.</summary>
    public async Task<IReadOnlyList<byte[]>> ReceiveUntilAsync(Func<string, bool> last, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        var buffer = new byte[65536];
        while (!_datagrams.Any(d => last(Encoding.UTF8.GetString(d))))
        {
            try
            {
                var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token);
                _datagrams.Add(buffer[..length]);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching datagram; got:\n{string.Join("\n", _datagrams.Select(Encoding.UTF8.GetString))}");
            }
        }

        return [.. _datagrams];
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
