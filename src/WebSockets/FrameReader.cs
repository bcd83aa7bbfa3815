using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Websockify.WebSockets;

/// <summary>
/// Reads client frames (RFC 6455 §5) and enforces every framing rule: masking, RSV bits, opcodes,
/// control-frame size and fragmentation, continuation order, 63-bit lengths and close payloads.
/// Pings are answered here. Payload streams through: a frame of any size needs no more than the
/// receive buffer, and that buffer is returned to the pool whenever it is drained, so an idle
/// session holds none.
/// </summary>
internal sealed class FrameReader(Stream stream, FrameWriter writer)
{
    /// <summary>A 64 KiB payload plus its 14-byte header fits in one read.</summary>
    private const int BufferSize = 64 * 1024 + 16;

    private const int MaxControlPayload = 125;

    private byte[]? _buffer;
    private int _start;
    private int _end;

    private bool _inDataFrame;
    private long _frameRemaining;
    private bool _frameFin;
    private uint _maskKey;
    private int _maskOffset;
    private bool _inMessage;
    private MessageKind _messageKind;
    private bool _closeReceived;

    /// <summary>The client's close code; null when its close frame had no payload.</summary>
    public int? CloseCode { get; private set; }

    public string CloseReason { get; private set; } = "";

    private int Buffered => _end - _start;

    /// <summary>
    /// With an empty <paramref name="destination"/>: waits until the client has sent something, holding
    /// no buffer, and returns <see cref="FrameRead.Nothing"/>. Otherwise returns the next payload bytes,
    /// or Nothing when only control frames arrived.
    /// </summary>
    public async ValueTask<FrameRead> ReceiveAsync(Memory<byte> destination)
    {
        if (_closeReceived)
        {
            return new FrameRead(0, true, MessageKind.Close);
        }

        if (destination.IsEmpty)
        {
            if (Buffered == 0)
            {
                await stream.ReadAsync(Memory<byte>.Empty).ConfigureAwait(false);
            }

            return FrameRead.Nothing;
        }

        var progressed = false;
        while (true)
        {
            if (_inDataFrame)
            {
                if (Buffered == 0)
                {
                    if (progressed)
                    {
                        return FrameRead.Nothing;
                    }

                    await FillAsync().ConfigureAwait(false);
                }

                return CopyPayload(destination.Span);
            }

            var header = TryParseHeader();
            if (header is null)
            {
                if (progressed)
                {
                    ReleaseIfDrained();
                    return FrameRead.Nothing;
                }

                await FillAsync().ConfigureAwait(false);
                progressed = true; // a fill that yields only part of a header must not block again with the buffer held
                continue;
            }

            var (opcode, fin, length) = header.Value;
            if (opcode >= 0x8)
            {
                var payload = _buffer.AsSpan(_start, (int)length).ToArray();
                var keyOffset = 0;
                Masking.UnmaskCopy(payload, payload, _maskKey, ref keyOffset);
                _start += (int)length;
                progressed = true;
                if (opcode == 0x8)
                {
                    ReadClosePayload(payload);
                    _closeReceived = true;
                    ReleaseIfDrained();
                    return new FrameRead(0, true, MessageKind.Close);
                }

                if (opcode == 0x9)
                {
                    await writer.SendPongAsync(payload).ConfigureAwait(false);
                }

                continue;
            }

            if (opcode != 0x0)
            {
                _messageKind = opcode == 0x1 ? MessageKind.Text : MessageKind.Binary;
            }

            _inMessage = !fin;
            _frameFin = fin;
            if (length == 0)
            {
                if (fin)
                {
                    ReleaseIfDrained();
                    return new FrameRead(0, true, _messageKind);
                }

                continue;
            }

            _inDataFrame = true;
            _frameRemaining = length;
            _maskOffset = 0;
        }
    }

    private FrameRead CopyPayload(Span<byte> destination)
    {
        var take = (int)Math.Min(Math.Min(_frameRemaining, Buffered), destination.Length);
        Masking.UnmaskCopy(_buffer.AsSpan(_start, take), destination, _maskKey, ref _maskOffset);
        _start += take;
        _frameRemaining -= take;
        var endOfMessage = false;
        if (_frameRemaining == 0)
        {
            _inDataFrame = false;
            endOfMessage = _frameFin;
        }

        ReleaseIfDrained();
        return new FrameRead(take, endOfMessage, _messageKind);
    }

    /// <summary>Parses and checks the next header; for a control frame, only once its whole payload is buffered.</summary>
    private (byte Opcode, bool Fin, long Length)? TryParseHeader()
    {
        var span = _buffer.AsSpan(_start, Buffered);
        if (span.Length < 2)
        {
            return null;
        }

        var fin = (span[0] & 0x80) != 0;
        var rsv = (span[0] >> 4) & 0x7;
        var opcode = (byte)(span[0] & 0x0F);
        var masked = (span[1] & 0x80) != 0;
        long length = span[1] & 0x7F;
        var extended = length switch { 126 => 2, 127 => 8, _ => 0 };

        // Checks that need only the first two bytes come first, so a bad frame is refused at once.
        if (rsv != 0)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: reserved bits set without an extension");
        }

        if (!masked)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: frame not masked");
        }

        if (opcode is (>= 0x3 and <= 0x7) or >= 0xB)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, $"Protocol error: unknown opcode 0x{opcode:x2}");
        }

        if (opcode >= 0x8 && (!fin || length > MaxControlPayload))
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: control frames must be final and at most 125 bytes");
        }

        if (opcode == 0x0 && !_inMessage)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: unexpected continuation frame");
        }

        if (opcode is 0x1 or 0x2 && _inMessage)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: unexpected new frame inside a fragmented message");
        }

        var headerLength = 2 + extended + 4;
        if (span.Length < headerLength)
        {
            return null;
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
                throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: frame length has the most significant bit set");
            }

            length = (long)wide;
        }

        if (opcode >= 0x8 && span.Length < headerLength + length)
        {
            return null;
        }

        _maskKey = BinaryPrimitives.ReadUInt32LittleEndian(span[(2 + extended)..]);
        _start += headerLength;
        return (opcode, fin, length);
    }

    private void ReadClosePayload(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return;
        }

        if (payload.Length == 1)
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, "Protocol error: close payload of one byte");
        }

        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!CloseCodes.IsValidOnWire(code))
        {
            throw new ClientProtocolException(CloseCodes.ProtocolError, $"Protocol error: invalid close code {code}");
        }

        try
        {
            CloseReason = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(payload, 2, payload.Length - 2);
        }
        catch (DecoderFallbackException)
        {
            throw new ClientProtocolException(CloseCodes.InvalidPayload, "Invalid UTF-8 in close reason");
        }

        CloseCode = code;
    }

    private async ValueTask FillAsync()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        }
        else if (_start > 0)
        {
            _buffer.AsSpan(_start, Buffered).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = await stream.ReadAsync(_buffer.AsMemory(_end), CancellationToken.None).ConfigureAwait(false);
        if (read == 0)
        {
            throw new ClientDisconnectedException("connection closed without a close frame");
        }

        _end += read;
    }

    private void ReleaseIfDrained()
    {
        if (_buffer is not null && _start == _end)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
            _start = _end = 0;
        }
    }

    /// <summary>Returns the receive buffer when the session ends.</summary>
    public void Release()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }
    }
}
