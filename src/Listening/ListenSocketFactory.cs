using System.Net;
using System.Net.Sockets;
using Websockify.Net;

namespace Websockify.Listening;

/// <summary>Thrown when the listen address cannot be bound; start-up fails with this message.</summary>
internal sealed class ListenException(string message) : Exception(message);

/// <summary>
/// Creates the listening socket. With no host the default is dual-stack <c>[::]</c>, which accepts IPv4
/// and IPv6 (upstream binds IPv4 only unless <c>-6</c>); a host name binds its first address, IPv4 first
/// unless <c>--prefer-ipv6</c>, as upstream sorts.
/// </summary>
internal static class ListenSocketFactory
{
    public const int Backlog = 1024;

    public static Socket Bind(ListenSettings listen)
    {
        var preferIpv6 = listen.PreferIpv6;
        var endpoint = listen.Host is null ? null : new IPEndPoint(ResolveListenAddress(listen.Host, preferIpv6), listen.Port);

        // [::ffff:a.b.c.d] names an IPv4 address; .NET's IPv6 sockets are IPv6-only, where binding it fails
        // (EINVAL). An IPv4 socket on a.b.c.d serves exactly the clients such an address can have.
        if (endpoint is { Address.IsIPv4MappedToIPv6: true })
        {
            endpoint = new IPEndPoint(endpoint.Address.MapToIPv4(), endpoint.Port);
        }
        if (endpoint is null && Socket.OSSupportsIPv6)
        {
            try
            {
                return BindAndListen(new IPEndPoint(IPAddress.IPv6Any, listen.Port), dualMode: true);
            }
            catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable)
            {
                // IPv6 disabled on this host (ipv6.disable=1): fall back to IPv4 only.
            }
        }

        endpoint ??= new IPEndPoint(IPAddress.Any, listen.Port);
        return BindAndListen(endpoint, dualMode: false);
    }

    private static IPAddress ResolveListenAddress(string host, bool preferIpv6)
    {
        if (IPAddress.TryParse(host, out var literal))
        {
            return literal;
        }

        IPAddress[] addresses;
        try
        {
            addresses = Dns.GetHostAddresses(host);
        }
        catch (SocketException ex)
        {
            throw new ListenException($"cannot resolve listen host '{host}': {ex.Message}");
        }

        var preferred = preferIpv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        return addresses.OrderBy(a => a.AddressFamily == preferred ? 0 : 1).FirstOrDefault()
            ?? throw new ListenException($"listen host '{host}' has no address");
    }

    private static Socket BindAndListen(IPEndPoint endpoint, bool dualMode)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (dualMode)
            {
                socket.DualMode = true;
            }

            // Plain SO_REUSEADDR (restart while old connections sit in TIME_WAIT). .NET's ReuseAddress
            // option would also set SO_REUSEPORT on Linux and let a second daemon bind the same port.
            socket.SetRawSocketOption(1 /* SOL_SOCKET */, 2 /* SO_REUSEADDR */, BitConverter.GetBytes(1));
            socket.Bind(endpoint);
            socket.Listen(Backlog);
            return socket;
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            if (ex.SocketErrorCode is SocketError.AddressFamilyNotSupported or SocketError.AddressNotAvailable && dualMode)
            {
                throw;
            }

            throw new ListenException($"cannot listen on {EndpointText.Format(endpoint)}: {ex.Message}");
        }
    }
}
