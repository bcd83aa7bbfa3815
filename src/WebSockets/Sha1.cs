using System.Buffers.Binary;
using System.Numerics;

namespace Websockify.WebSockets;

/// <summary>
/// SHA-1 (FIPS 180-4) for the handshake's Sec-WebSocket-Accept only, where it is a fixed protocol
/// checksum, not security. The runtime's SHA1 goes through OpenSSL: loading and configuring libcrypto
/// cost ~3 ms before the first 101 of every socket-activated (Accept=yes) connection.
/// </summary>
internal static class Sha1
{
    public const int HashLength = 20;

    public static void HashData(ReadOnlySpan<byte> data, Span<byte> hash)
    {
        Span<uint> state = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0];
        var whole = data.Length / 64 * 64;
        for (var offset = 0; offset < whole; offset += 64)
        {
            Compress(state, data.Slice(offset, 64));
        }

        // The tail, the 0x80 marker and the bit length fill one block, or two when under 9 bytes remain.
        Span<byte> tail = stackalloc byte[128];
        tail.Clear();
        var rest = data[whole..];
        rest.CopyTo(tail);
        tail[rest.Length] = 0x80;
        var blocks = rest.Length + 9 <= 64 ? 1 : 2;
        BinaryPrimitives.WriteUInt64BigEndian(tail.Slice(blocks * 64 - 8), (ulong)data.Length * 8);
        for (var b = 0; b < blocks; b++)
        {
            Compress(state, tail.Slice(b * 64, 64));
        }

        for (var i = 0; i < 5; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(hash.Slice(i * 4), state[i]);
        }
    }

    private static void Compress(Span<uint> state, ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[80];
        for (var t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block.Slice(t * 4));
        }

        for (var t = 16; t < 80; t++)
        {
            w[t] = BitOperations.RotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
        for (var t = 0; t < 80; t++)
        {
            var (f, k) = t switch
            {
                < 20 => ((b & c) | (~b & d), 0x5A827999u),
                < 40 => (b ^ c ^ d, 0x6ED9EBA1u),
                < 60 => ((b & c) | (b & d) | (c & d), 0x8F1BBCDCu),
                _ => (b ^ c ^ d, 0xCA62C1D6u),
            };
            var next = BitOperations.RotateLeft(a, 5) + f + e + k + w[t];
            e = d;
            d = c;
            c = BitOperations.RotateLeft(b, 30);
            b = a;
            a = next;
        }

        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
    }
}
