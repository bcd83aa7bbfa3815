using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Unicode;

namespace Websockify.Net;

/// <summary>
/// The listen side of HAProxy's PROXY protocol (proxy-protocol.txt), v1 text and v2 binary: who the
/// client behind a balancer is. Pure and strict: every field is checked, nothing is guessed, and a
/// header is bounded (v1 by the spec's 107 bytes, v2 by <see cref="Limits.MaxProxyHeaderBytes"/>), so a
/// peer cannot make us buffer more. The writer for targets is <c>Targets.ProxyHeader</c>.
/// </summary>
internal static class ProxyHeaderParser
{
    /// <summary>The spec's longest v1 line, CRLF included.</summary>
    public const int MaxTextBytes = 107;

    private static ReadOnlySpan<byte> TextStart => "PROXY "u8;

    /// <summary>Parses what has been read so far from the start of the connection.</summary>
    public static ProxyHeaderParse Parse(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return ProxyHeaderParse.NeedMore;
        }

        if (data[0] == ProxyProtocolWire.Signature[0])
        {
            return IsPrefixOf(data, ProxyProtocolWire.Signature) ? ParseBinary(data) : ProxyHeaderParse.Invalid("not a PROXY protocol header");
        }

        return IsPrefixOf(data, TextStart) ? ParseText(data) : ProxyHeaderParse.Invalid("not a PROXY protocol header");
    }

    /// <summary>True when data and expected agree over the shorter of the two.</summary>
    private static bool IsPrefixOf(ReadOnlySpan<byte> data, ReadOnlySpan<byte> expected) =>
        data[..Math.Min(data.Length, expected.Length)].SequenceEqual(expected[..Math.Min(data.Length, expected.Length)]);

    private static ProxyHeaderParse ParseText(ReadOnlySpan<byte> data)
    {
        var window = data[..Math.Min(data.Length, MaxTextBytes)];
        var lineFeed = window.IndexOf((byte)'\n');
        if (lineFeed < 0)
        {
            return data.Length >= MaxTextBytes
                ? ProxyHeaderParse.Invalid($"PROXY v1 line longer than {MaxTextBytes} bytes")
                : ProxyHeaderParse.NeedMore;
        }

        // The first LF ends the line, and only as CR LF ("PROXY " before it holds neither).
        if (window[lineFeed - 1] != (byte)'\r')
        {
            return ProxyHeaderParse.Invalid("PROXY v1 line ends without CR LF");
        }

        var end = lineFeed - 1;
        var length = end + 2;
        var line = window[TextStart.Length..end];
        if (line.StartsWith("UNKNOWN"u8) && (line.Length == 7 || line[7] == (byte)' '))
        {
            return ProxyHeaderParse.Parsed(length); // the spec: the rest of the line is ignored
        }

        Span<Range> fields = stackalloc Range[5];
        if (Split(line, fields, (byte)' ') != 5)
        {
            return ProxyHeaderParse.Invalid("PROXY v1 line does not have its five fields");
        }

        var protocol = line[fields[0]];
        AddressFamily family;
        if (protocol.SequenceEqual("TCP4"u8))
        {
            family = AddressFamily.InterNetwork;
        }
        else if (protocol.SequenceEqual("TCP6"u8))
        {
            family = AddressFamily.InterNetworkV6;
        }
        else
        {
            return ProxyHeaderParse.Invalid("PROXY v1 protocol is not TCP4, TCP6 or UNKNOWN");
        }

        if (!TryTextAddress(line[fields[1]], family, out var source) || !TryTextAddress(line[fields[2]], family, out var destination))
        {
            return ProxyHeaderParse.Invalid($"PROXY v1 address is not a plain {(family == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address");
        }

        if (!TryPort(line[fields[3]], out var sourcePort) || !TryPort(line[fields[4]], out var destinationPort))
        {
            return ProxyHeaderParse.Invalid("PROXY v1 port is not a number from 0 to 65535");
        }

        return ProxyHeaderParse.Parsed(length, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
    }

    /// <summary>IPv4 only as a dotted quad (IPAddress.Parse also takes "1" or "0x7f.1"); IPv6 without a scope or brackets.</summary>
    private static bool TryTextAddress(ReadOnlySpan<byte> text, AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Length > 45)
        {
            return false;
        }

        if (family == AddressFamily.InterNetwork)
        {
            Span<Range> parts = stackalloc Range[4];
            if (Split(text, parts, (byte)'.') != 4)
            {
                return false;
            }

            foreach (var part in parts[..4])
            {
                var digits = text[part];
                if (digits.Length is 0 or > 3 || digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || (digits.Length > 1 && digits[0] == (byte)'0'))
                {
                    return false;
                }
            }
        }
        else if (text.IndexOfAny("%[]"u8) >= 0 || text.IndexOf((byte)':') < 0)
        {
            return false;
        }

        return IPAddress.TryParse(Encoding.ASCII.GetString(text), out address!) && address.AddressFamily == family;
    }

    /// <summary>The pieces between separators into <paramref name="pieces"/>; their count, or pieces.Length + 1 when there are more.</summary>
    private static int Split(ReadOnlySpan<byte> text, Span<Range> pieces, byte separator)
    {
        var count = 0;
        foreach (var piece in text.Split(separator))
        {
            if (count == pieces.Length)
            {
                return count + 1;
            }

            pieces[count++] = piece;
        }

        return count;
    }

    /// <summary>Decimal, 0 to 65535, without a sign or leading zeros.</summary>
    private static bool TryPort(ReadOnlySpan<byte> text, out int port)
    {
        port = 0;
        if (text.Length is 0 or > 5 || text.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0 || (text.Length > 1 && text[0] == (byte)'0'))
        {
            return false;
        }

        foreach (var digit in text)
        {
            port = (port * 10) + (digit - '0');
        }

        return port <= 65535;
    }

    private static ProxyHeaderParse ParseBinary(ReadOnlySpan<byte> data)
    {
        if (data.Length < ProxyProtocolWire.FixedBytes)
        {
            return ProxyHeaderParse.NeedMore;
        }

        var versionAndCommand = data[12];
        if (versionAndCommand >> 4 != 2)
        {
            return ProxyHeaderParse.Invalid("PROXY v2 header of an unknown version");
        }

        var command = versionAndCommand & 0x0F;
        if (command > 1)
        {
            return ProxyHeaderParse.Invalid("PROXY v2 command is neither LOCAL nor PROXY");
        }

        var addressLength = BinaryPrimitives.ReadUInt16BigEndian(data[14..]);
        var length = ProxyProtocolWire.FixedBytes + addressLength;
        if (length > Limits.MaxProxyHeaderBytes)
        {
            return ProxyHeaderParse.Invalid($"PROXY v2 header longer than {Limits.MaxProxyHeaderBytes} bytes");
        }

        if (data.Length < length)
        {
            return ProxyHeaderParse.NeedMore;
        }

        var block = data[ProxyProtocolWire.FixedBytes..length];
        if (command == 0)
        {
            return ProxyHeaderParse.Parsed(length); // LOCAL: the balancer's own connection, such as a health check
        }

        var (addresses, error) = data[13] switch
        {
            0x00 => (0, null),
            0x11 => (12, null),
            0x21 => (36, null),
            0x31 => (2 * ProxyProtocolWire.UnixAddressBytes, null),
            0x12 or 0x22 or 0x32 => (0, "PROXY v2 header for a datagram connection"),
            _ => (0, "PROXY v2 header of an unknown address family"),
        };
        if (error is not null)
        {
            return ProxyHeaderParse.Invalid(error);
        }

        if (block.Length < addresses)
        {
            return ProxyHeaderParse.Invalid("PROXY v2 address block shorter than its family needs");
        }

        if (!TlvsFit(block[addresses..]))
        {
            return ProxyHeaderParse.Invalid("PROXY v2 TLVs do not fit the header's length");
        }

        return data[13] switch
        {
            0x11 => ProxyHeaderParse.Parsed(length,
                new IPEndPoint(new IPAddress(block[..4]), BinaryPrimitives.ReadUInt16BigEndian(block[8..])),
                new IPEndPoint(new IPAddress(block[4..8]), BinaryPrimitives.ReadUInt16BigEndian(block[10..]))),
            0x21 => ProxyHeaderParse.Parsed(length,
                new IPEndPoint(new IPAddress(block[..16]), BinaryPrimitives.ReadUInt16BigEndian(block[32..])),
                new IPEndPoint(new IPAddress(block[16..32]), BinaryPrimitives.ReadUInt16BigEndian(block[34..]))),
            0x31 => ProxyHeaderParse.Parsed(length, UnixEndPoint(block[..ProxyProtocolWire.UnixAddressBytes]), UnixEndPoint(block[ProxyProtocolWire.UnixAddressBytes..(2 * ProxyProtocolWire.UnixAddressBytes)])),
            _ => ProxyHeaderParse.Parsed(length), // UNSPEC
        };
    }

    /// <summary>Type, 16-bit length, value, one after another, ending exactly at the header's end (unknown types are skipped).</summary>
    private static bool TlvsFit(ReadOnlySpan<byte> tlvs)
    {
        while (!tlvs.IsEmpty)
        {
            if (tlvs.Length < 3)
            {
                return false;
            }

            var next = 3 + BinaryPrimitives.ReadUInt16BigEndian(tlvs[1..]);
            if (next > tlvs.Length)
            {
                return false;
            }

            tlvs = tlvs[next..];
        }

        return true;
    }

    /// <summary>
    /// A sun_path up to its first NUL. An unnamed socket (empty) has no address to give, nor has a name
    /// that is not UTF-8 (a path's bytes need not be; decoding would make it longer than sun_path, which
    /// the endpoint refuses: found by fuzzing) or one that fills sun_path with no NUL left.
    /// </summary>
    private static UnixDomainSocketEndPoint? UnixEndPoint(ReadOnlySpan<byte> path)
    {
        var end = path.IndexOf((byte)0);
        return end <= 0 || !Utf8.IsValid(path[..end]) ? null : new UnixDomainSocketEndPoint(Encoding.UTF8.GetString(path[..end]));
    }
}
