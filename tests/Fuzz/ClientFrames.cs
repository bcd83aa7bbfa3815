using System.Buffers.Binary;

namespace Websockify.Fuzz;

/// <summary>Writes frames as a client does (masked, RFC 6455 §5.3), for targets whose input is payload rather than wire bytes.</summary>
internal sealed class ClientFrames
{
    private readonly MemoryStream _wire = new();
    private uint _key = 0x3D21FA37;

    public byte[] ToArray() => _wire.ToArray();

    public void Add(byte opcode, bool fin, ReadOnlySpan<byte> payload)
    {
        _wire.WriteByte((byte)((fin ? 0x80 : 0) | opcode));
        if (payload.Length < 126)
        {
            _wire.WriteByte((byte)(0x80 | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            Span<byte> length = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)payload.Length);
            _wire.WriteByte(0x80 | 126);
            _wire.Write(length);
        }
        else
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            _wire.WriteByte(0x80 | 127);
            _wire.Write(length);
        }

        _key = (_key * 1103515245) + 12345; // a different key each frame
        Span<byte> key = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(key, _key);
        _wire.Write(key);
        for (var i = 0; i < payload.Length; i++)
        {
            _wire.WriteByte((byte)(payload[i] ^ key[i % 4]));
        }
    }
}
