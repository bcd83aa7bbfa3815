using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Websockify.Tests;

/// <summary>One RFC 6455 frame as read off the wire.</summary>
internal sealed record WireFrame(bool Fin, byte Rsv, byte Opcode, bool Masked, byte[] Payload)
{
    /// <summary>The status code of a close frame, or null when its payload is empty.</summary>
    public int? CloseCode => Opcode == 8 && Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : null;

    public string CloseReason => Opcode == 8 && Payload.Length > 2 ? System.Text.Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : "";
}

/// <summary>
/// Hand-built WebSocket frames, including broken ones the runtime's client would never send, so the
/// daemon's framing rules can be tested byte by byte.
/// </summary>
internal static class RawFrame
{
    public const byte Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;

    public static byte[] Build(byte opcode, ReadOnlySpan<byte> payload, bool fin = true, bool mask = true, byte rsv = 0, ulong? declaredLength = null)
    {
        var length = declaredLength ?? (ulong)payload.Length;
        var header = new List<byte> { (byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode) };
        var maskBit = mask ? 0x80 : 0;
        if (length <= 125)
        {
            header.Add((byte)(maskBit | (int)length));
        }
        else if (length <= 0xFFFF)
        {
            header.Add((byte)(maskBit | 126));
            header.Add((byte)(length >> 8));
            header.Add((byte)length);
        }
        else
        {
            header.Add((byte)(maskBit | 127));
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                header.Add((byte)(length >> shift));
            }
        }

        var body = payload.ToArray();
        if (mask)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            header.AddRange(key);
            for (var i = 0; i < body.Length; i++)
            {
                body[i] ^= key[i % 4];
            }
        }

        return [.. header, .. body];
    }

    public static byte[] CloseFrame(int code, string reason = "", bool mask = true)
    {
        var reasonBytes = System.Text.Encoding.UTF8.GetBytes(reason);
        var payload = new byte[2 + reasonBytes.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reasonBytes.CopyTo(payload, 2);
        return Build(Close, payload, mask: mask);
    }

    /// <summary>Reads one frame; null at a clean end of stream before a frame starts.</summary>
    public static async Task<WireFrame?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new byte[2];
        if (!await ReadExactlyOrEndAsync(stream, head, cancellationToken))
        {
            return null;
        }

        ulong length = (ulong)(head[1] & 0x7F);
        if (length == 126)
        {
            var ext = new byte[2];
            await stream.ReadExactlyAsync(ext, cancellationToken);
            length = BinaryPrimitives.ReadUInt16BigEndian(ext);
        }
        else if (length == 127)
        {
            var ext = new byte[8];
            await stream.ReadExactlyAsync(ext, cancellationToken);
            length = BinaryPrimitives.ReadUInt64BigEndian(ext);
        }

        var masked = (head[1] & 0x80) != 0;
        var key = new byte[4];
        if (masked)
        {
            await stream.ReadExactlyAsync(key, cancellationToken);
        }

        var payload = new byte[checked((int)length)];
        await stream.ReadExactlyAsync(payload, cancellationToken);
        if (masked)
        {
            for (var i = 0; i < payload.Length; i++)
            {
                payload[i] ^= key[i % 4];
            }
        }

        return new WireFrame((head[0] & 0x80) != 0, (byte)((head[0] >> 4) & 7), (byte)(head[0] & 0x0F), masked, payload);
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        if (read == 0)
        {
            return false;
        }

        if (read < buffer.Length)
        {
            throw new EndOfStreamException("stream ended inside a frame header");
        }

        return true;
    }
}
