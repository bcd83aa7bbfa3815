using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Websockify.Net;

namespace Websockify.Targets;

/// <summary>
/// The PROXY protocol header (HAProxy's proxy-protocol.txt) that tells a target who the WebSocket client
/// is: its address as source, the address it connected to (ours) as destination. IPv4-mapped IPv6
/// addresses (a dual-stack listener) go as TCP4. A Unix-socket client has no TCP address: v1 says
/// <c>UNKNOWN</c>, v2 sends the AF_UNIX family with both socket paths. No v2 TLVs are sent.
/// </summary>
internal static class ProxyHeader
{
    private const byte VersionTwoProxyCommand = 0x21;

    /// <param name="client">The client's address (the accepted socket's peer).</param>
    /// <param name="local">The address the client connected to; null when it cannot be asked.</param>
    public static byte[] Build(ProxyProtocolVersion version, EndPoint? client, EndPoint? local)
    {
        if (client is IPEndPoint source && local is IPEndPoint destination)
        {
            var (from, to) = SameFamily(source.Address, destination.Address);
            return version == ProxyProtocolVersion.V1
                ? TextTcp(from, to, source.Port, destination.Port)
                : BinaryTcp(from, to, source.Port, destination.Port);
        }

        if (version == ProxyProtocolVersion.V1)
        {
            // The spec's line for anything that is not TCP over IP; the receiver ignores the rest of the line.
            return "PROXY UNKNOWN\r\n"u8.ToArray();
        }

        return client is UnixDomainSocketEndPoint unixClient && local is UnixDomainSocketEndPoint unixLocal
            ? BinaryUnix(unixClient, unixLocal)
            : BinaryHead(0x00, 0); // AF_UNSPEC, no addresses: what the spec says to send for an unsupported family
    }

    /// <summary>Both as IPv4 when both are (or are mapped from) IPv4, else both as IPv6; scope ids dropped (not part of either form).</summary>
    private static (IPAddress From, IPAddress To) SameFamily(IPAddress from, IPAddress to)
    {
        from = from.IsIPv4MappedToIPv6 ? from.MapToIPv4() : from;
        to = to.IsIPv4MappedToIPv6 ? to.MapToIPv4() : to;
        if (from.AddressFamily == AddressFamily.InterNetwork && to.AddressFamily == AddressFamily.InterNetwork)
        {
            return (from, to);
        }

        return (new IPAddress(from.MapToIPv6().GetAddressBytes()), new IPAddress(to.MapToIPv6().GetAddressBytes()));
    }

    private static byte[] TextTcp(IPAddress from, IPAddress to, int fromPort, int toPort)
    {
        var protocol = from.AddressFamily == AddressFamily.InterNetwork ? "TCP4" : "TCP6";
        return Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"PROXY {protocol} {from} {to} {fromPort} {toPort}\r\n"));
    }

    private static byte[] BinaryTcp(IPAddress from, IPAddress to, int fromPort, int toPort)
    {
        var ipv4 = from.AddressFamily == AddressFamily.InterNetwork;
        var addressBytes = ipv4 ? 4 : 16;
        var header = BinaryHead(ipv4 ? (byte)0x11 : (byte)0x21, (2 * addressBytes) + 4); // TCP over IPv4 / IPv6
        var block = header.AsSpan(ProxyProtocolWire.FixedBytes);
        from.TryWriteBytes(block, out _);
        to.TryWriteBytes(block[addressBytes..], out _);
        BinaryPrimitives.WriteUInt16BigEndian(block[(2 * addressBytes)..], (ushort)fromPort);
        BinaryPrimitives.WriteUInt16BigEndian(block[((2 * addressBytes) + 2)..], (ushort)toPort);
        return header;
    }

    private static byte[] BinaryUnix(UnixDomainSocketEndPoint from, UnixDomainSocketEndPoint to)
    {
        const int size = ProxyProtocolWire.UnixAddressBytes;
        var header = BinaryHead(0x31, 2 * size); // AF_UNIX, SOCK_STREAM
        WriteSunPath(from, header.AsSpan(ProxyProtocolWire.FixedBytes, size));
        WriteSunPath(to, header.AsSpan(ProxyProtocolWire.FixedBytes + size, size));
        return header;
    }

    /// <summary>sun_path exactly as the kernel has it (an unbound client's is empty, an abstract name starts with NUL), zero-padded.</summary>
    private static void WriteSunPath(UnixDomainSocketEndPoint endpoint, Span<byte> destination)
    {
        var address = endpoint.Serialize();
        var path = address.Buffer.Span[2..address.Size]; // after sun_family
        path[..Math.Min(path.Length, destination.Length)].CopyTo(destination);
    }

    /// <summary>Signature, version 2 with the PROXY command, family and protocol, length; the address block zeroed.</summary>
    private static byte[] BinaryHead(byte familyAndProtocol, int addressLength)
    {
        var header = new byte[ProxyProtocolWire.FixedBytes + addressLength];
        ProxyProtocolWire.Signature.CopyTo(header);
        header[12] = VersionTwoProxyCommand;
        header[13] = familyAndProtocol;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(14), (ushort)addressLength);
        return header;
    }
}
