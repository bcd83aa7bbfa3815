using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>What a test target read from a PROXY protocol header: the family and the four fields.</summary>
/// <param name="Family">v1's TCP4, TCP6 or UNKNOWN; v2's TCP4, TCP6, UNIX or UNSPEC.</param>
/// <param name="UnixSource">v2 AF_UNIX: the 108-byte source field; null otherwise.</param>
internal sealed record ReceivedProxyHeader(
    int Version, string Family, IPAddress? Source, IPAddress? Destination, int SourcePort, int DestinationPort,
    byte[]? UnixSource = null, byte[]? UnixDestination = null);

/// <summary>
/// A TCP target that reads a PROXY header (parsed here, by hand, from HAProxy's spec, independently of
/// the daemon's writer), reports it, then echoes every later byte. It reads exactly the header's bytes,
/// so an echo that comes back intact proves nothing more came before the relayed data.
/// </summary>
internal sealed class ProxyHeaderTarget : IAsyncDisposable
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private readonly TaskCompletionSource<ReceivedProxyHeader> _header = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TcpTarget _target;

    public ProxyHeaderTarget() => _target = TcpTarget.Start(HandleAsync);

    public string Address => _target.Address;

    /// <summary>The first connection's header (bounded wait).</summary>
    public Task<ReceivedProxyHeader> HeaderAsync() => _header.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public ValueTask DisposeAsync() => _target.DisposeAsync();

    private async Task HandleAsync(Socket socket)
    {
        try
        {
            _header.TrySetResult(await ReadHeaderAsync(socket));
        }
        catch (Exception ex)
        {
            _header.TrySetException(ex);
            throw;
        }

        var buffer = new byte[65536];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read));
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    private static async Task<ReceivedProxyHeader> ReadHeaderAsync(Socket socket)
    {
        var first = await ReadExactlyAsync(socket, 1);
        return first[0] == (byte)'P' ? await ReadVersionOneAsync(socket) : await ReadVersionTwoAsync(socket, first[0]);
    }

    /// <summary>"PROXY" SP family [SP src SP dst SP sport SP dport] CRLF, at most 107 bytes.</summary>
    private static async Task<ReceivedProxyHeader> ReadVersionOneAsync(Socket socket)
    {
        var line = new StringBuilder("P");
        while (!line.ToString().EndsWith("\r\n", StringComparison.Ordinal))
        {
            if (line.Length >= 107)
            {
                throw new InvalidDataException($"v1 line longer than 107 bytes: {line}");
            }

            line.Append((char)(await ReadExactlyAsync(socket, 1))[0]);
        }

        var fields = line.ToString()[..^2].Split(' ');
        if (fields[0] != "PROXY")
        {
            throw new InvalidDataException($"not a PROXY line: {line}");
        }

        if (fields is [_, "UNKNOWN"])
        {
            return new ReceivedProxyHeader(1, "UNKNOWN", null, null, 0, 0);
        }

        if (fields is not [_, "TCP4" or "TCP6", var source, var destination, var sourcePort, var destinationPort])
        {
            throw new InvalidDataException($"malformed PROXY line: {line}");
        }

        var family = fields[1] == "TCP4" ? AddressFamily.InterNetwork : AddressFamily.InterNetworkV6;
        var from = IPAddress.Parse(source);
        var to = IPAddress.Parse(destination);
        if (from.AddressFamily != family || to.AddressFamily != family)
        {
            throw new InvalidDataException($"addresses do not match {fields[1]}: {line}");
        }

        return new ReceivedProxyHeader(1, fields[1], from, to, Port(sourcePort), Port(destinationPort));
    }

    /// <summary>Decimal, 0 to 65535, no leading zeros (the spec's rule).</summary>
    private static int Port(string text) =>
        text.Length is > 0 and <= 5 && text.All(char.IsAsciiDigit) && (text.Length == 1 || text[0] != '0') && int.Parse(text) is <= 65535 and var port
            ? port
            : throw new InvalidDataException($"bad port '{text}'");

    private static async Task<ReceivedProxyHeader> ReadVersionTwoAsync(Socket socket, byte first)
    {
        var head = new byte[16];
        head[0] = first;
        (await ReadExactlyAsync(socket, 15)).CopyTo(head, 1);
        if (!head.AsSpan(0, 12).SequenceEqual(Signature) || head[12] != 0x21)
        {
            throw new InvalidDataException($"not a v2 PROXY header: {Convert.ToHexString(head)}");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(14));
        var block = length == 0 ? [] : await ReadExactlyAsync(socket, length);
        switch (head[13])
        {
            case 0x11 when length == 12:
                return new ReceivedProxyHeader(2, "TCP4", new IPAddress(block[..4]), new IPAddress(block[4..8]),
                    BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(8)), BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(10)));
            case 0x21 when length == 36:
                return new ReceivedProxyHeader(2, "TCP6", new IPAddress(block[..16]), new IPAddress(block[16..32]),
                    BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(32)), BinaryPrimitives.ReadUInt16BigEndian(block.AsSpan(34)));
            case 0x31 when length == 216:
                return new ReceivedProxyHeader(2, "UNIX", null, null, 0, 0, block[..108], block[108..]);
            case 0x00 when length == 0:
                return new ReceivedProxyHeader(2, "UNSPEC", null, null, 0, 0);
            default:
                throw new InvalidDataException($"unexpected v2 family/length: {Convert.ToHexString(head)}");
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var filled = 0;
        while (filled < count)
        {
            var read = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"connection ended after {filled} of {count} header bytes");
            }

            filled += read;
        }

        return buffer;
    }
}
