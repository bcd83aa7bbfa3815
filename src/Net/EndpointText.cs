using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Websockify.Net;

/// <summary>
/// The one way endpoints are written in logs, the banner and errors: <c>1.2.3.4:80</c>,
/// <c>[::1]:80</c> (IPv4-mapped addresses as IPv4), <c>unix:/path</c>.
/// </summary>
internal static class EndpointText
{
    public static string Format(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint { Address.IsIPv4MappedToIPv6: true } ip => Format(ip.Address.MapToIPv4().ToString(), ip.Port),
        IPEndPoint ip => Format(ip.Address.ToString(), ip.Port),
        UnixDomainSocketEndPoint unix => unix.ToString() is { Length: > 0 } path ? "unix:" + path : "unix",
        null => "?",
        _ => endpoint.ToString() ?? "?",
    };

    /// <summary>An address without a port (X-Forwarded-For names none): IPv4-mapped as IPv4, IPv6 without brackets.</summary>
    public static string FormatAddress(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();

    /// <summary>A host name or address literal and a port; IPv6 literals get brackets.</summary>
    public static string Format(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{host}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
}
