using System.Buffers.Binary;

namespace Websockify.WebSockets;

/// <summary>
/// One client frame header, parsed and checked (RFC 6455 §5.2). Incomplete until the whole header is
/// buffered, and for a control frame until its whole payload is too (it is handled in one piece).
/// </summary>
internal readonly record struct FrameHeader(bool Complete, Opcode Opcode, bool Fin, long Length, int HeaderLength, uint MaskKey, FrameRead? Violation)
{
    private const int MaxControlPayload = 125;

    private static FrameHeader Incomplete => default;

    private static FrameHeader Refuse(string reason) => new(false, default, false, 0, 0, 0, FrameRead.Violation(CloseCodes.ProtocolError, reason));

    /// <param name="inMessage">A fragmented message is open: only continuations (and control frames) may follow.</param>
    public static FrameHeader Parse(ReadOnlySpan<byte> span, bool inMessage)
    {
        if (span.Length < 2)
        {
            return Incomplete;
        }

        var fin = (span[0] & 0x80) != 0;
        var rsv = (span[0] >> 4) & 0x7;
        var rawOpcode = (byte)(span[0] & 0x0F);
        var opcode = (Opcode)rawOpcode;
        var masked = (span[1] & 0x80) != 0;
        long length = span[1] & 0x7F;
        var extended = length switch { 126 => 2, 127 => 8, _ => 0 };

        // Checks that need only the first two bytes come first, so a bad frame is refused at once.
        if (rsv != 0)
        {
            return Refuse("Protocol error: reserved bits set without an extension");
        }

        if (!masked)
        {
            return Refuse("Protocol error: frame not masked");
        }

        if (!OpcodeRules.IsDefined(rawOpcode))
        {
            return Refuse($"Protocol error: unknown opcode 0x{rawOpcode:x2}");
        }

        if (opcode.IsControl() && (!fin || length > MaxControlPayload))
        {
            return Refuse("Protocol error: control frames must be final and at most 125 bytes");
        }

        if (opcode == Opcode.Continuation && !inMessage)
        {
            return Refuse("Protocol error: unexpected continuation frame");
        }

        if (opcode is Opcode.Text or Opcode.Binary && inMessage)
        {
            return Refuse("Protocol error: unexpected new frame inside a fragmented message");
        }

        var headerLength = 2 + extended + 4;
        if (span.Length < headerLength)
        {
            return Incomplete;
        }

        if (extended == 2)
        {
            length = BinaryPrimitives.ReadUInt16BigEndian(span[2..]);
        }
        else if (extended == 8)
        {
            var wide = BinaryPrimitives.ReadUInt64BigEndian(span[2..]);
            if (wide > long.MaxValue)
            {
                return Refuse("Protocol error: frame length has the most significant bit set");
            }

            length = (long)wide;
        }

        if (opcode.IsControl() && span.Length < headerLength + length)
        {
            return Incomplete;
        }

        return new FrameHeader(true, opcode, fin, length, headerLength, BinaryPrimitives.ReadUInt32LittleEndian(span[(2 + extended)..]), null);
    }
}
