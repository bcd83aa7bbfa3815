using System.Net;
using System.Net.Sockets;

namespace Websockify.Logging;

/// <summary>
/// The datagram socket to the syslog server, non-blocking so the writer thread never waits on it.
/// UDP is connected (a local operation) so that ICMP port-unreachable comes back as ECONNREFUSED and
/// an absent server is noticed; the Unix socket is addressed per datagram, so a syslog daemon that
/// restarts (a new socket at the same path) is reached again without reconnecting.
/// </summary>
internal sealed class SyslogSocket : ISyslogTransport
{
    private const int NoSuchFile = 2; // ENOENT

    private readonly Socket _socket;
    private readonly EndPoint _endpoint;
    private readonly bool _udp;
    private bool _connected;

    private SyslogSocket(Socket socket, EndPoint endpoint, bool udp, string description)
    {
        _socket = socket;
        _endpoint = endpoint;
        _udp = udp;
        Description = description;
        _socket.Blocking = false;
    }

    public string Description { get; }

    public int MaxDatagramBytes => _udp ? SyslogFormatter.UdpMaxBytes : SyslogFormatter.UnixMaxBytes;

    /// <summary>Resolves a host name once, now (upstream too resolves at start-up).</summary>
    /// <exception cref="SyslogSetupException">The host does not resolve.</exception>
    public static SyslogSocket Open(SyslogServer server)
    {
        if (server.SocketPath is { } path)
        {
            return new SyslogSocket(new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified), new UnixDomainSocketEndPoint(path), udp: false, path);
        }

        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(server.Host, out var literal) ? [literal] : Dns.GetHostAddresses(server.Host!);
        }
        catch (Exception ex) when (ex is SocketException or ArgumentException)
        {
            throw new SyslogSetupException($"cannot resolve syslog server '{server.Host}': {ex.Message}", ex);
        }

        var address = addresses.Length > 0 ? addresses[0] : throw new SyslogSetupException($"cannot resolve syslog server '{server.Host}': no address");
        return new SyslogSocket(new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp), new IPEndPoint(address, server.Port), udp: true, server.ToString());
    }

    public SyslogSendResult Send(ReadOnlySpan<byte> datagram, out string? failure)
    {
        failure = null;
        try
        {
            if (_udp)
            {
                if (!_connected)
                {
                    _socket.Connect(_endpoint);
                    _connected = true;
                }

                _socket.Send(datagram, SocketFlags.None);
            }
            else
            {
                _socket.SendTo(datagram, SocketFlags.None, _endpoint);
            }

            return SyslogSendResult.Sent;
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.WouldBlock or SocketError.NoBufferSpaceAvailable)
        {
            return SyslogSendResult.Busy;
        }
        catch (SocketException ex)
        {
            // .NET reports a Unix socket path's ENOENT as EADDRNOTAVAIL, which sendto(2) there never returns.
            failure = !_udp && ex.SocketErrorCode == SocketError.AddressNotAvailable ? Interop.LibC.Describe(NoSuchFile) : ex.Message;
            return SyslogSendResult.Failed;
        }
    }

    public void Dispose() => _socket.Dispose();
}
