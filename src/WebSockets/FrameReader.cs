using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace Websockify.WebSockets;

/// <summary>
/// Reads client frames (RFC 6455 §5) and enforces every framing rule: masking, RSV bits, opcodes,
/// control-frame size and fragmentation, continuation order, 63-bit lengths and close payloads.
/// Pings are answered here. Payload streams through: a frame of any size needs no more than the
/// receive buffer, and that buffer is returned to the pool whenever it is drained, so an idle
/// session holds none. Every way the client side ends is a <see cref="FrameRead"/> value.
/// </summary>
internal sealed class FrameReader(Stream stream, FrameWriter writer)
{
    /// <summary>
    /// Two 64 KiB frames with their headers per read. A power of two: the pool hands out no less anyway,
    /// and the whole of it is read into.
    /// </summary>
    private const int BufferSize = 256 * 1024;

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
    private FrameRead? _ended;
    private long _reads;

    /// <summary>
    /// Whether one read may carry the payload of several frames and messages: for a byte stream to the
    /// target where message boundaries mean nothing (nobody records them, no per-message decoding).
    /// </summary>
    public bool JoinMessages { get; set; }

    /// <summary>The client's close code; null when its close frame had no payload.</summary>
    public int? CloseCode { get; private set; }

    public string CloseReason { get; private set; } = "";

    /// <summary>
    /// How many reads brought bytes from the client so far: the heartbeat compares it between its
    /// rounds to learn whether the client said anything (data, pong, anything), at no clock cost here.
    /// </summary>
    public long Reads => Volatile.Read(ref _reads);

    private int Buffered => _end - _start;

    /// <summary>
    /// With an empty <paramref name="destination"/>: waits until the client has sent something, holding
    /// no buffer, and returns <see cref="FrameRead.Nothing"/>. Otherwise returns the next payload bytes,
    /// or Nothing when only control frames arrived. Once the client side ended, every call says so again.
    /// </summary>
    public ValueTask<FrameRead> ReceiveAsync(Memory<byte> destination) =>
        _ended is { } ended ? ValueTask.FromResult(ended) : ReceiveCoreAsync(destination);

    /// <summary>Every way the client side ends goes through here, so later calls repeat it (one async level per read: an idle session waits in it).</summary>
    private FrameRead End(FrameRead ending)
    {
        _ended = ending;
        ReleaseIfDrained();
        return ending;
    }

    private async ValueTask<FrameRead> ReceiveCoreAsync(Memory<byte> destination)
    {
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

                    if (await FillAsync().ConfigureAwait(false) is { } end)
                    {
                        return End(end);
                    }
                }

                return CopyPayload(destination.Span);
            }

            var header = FrameHeader.Parse(_buffer.AsSpan(_start, Buffered), _inMessage);
            if (header.Violation is { } violation)
            {
                return End(violation);
            }

            if (!header.Complete)
            {
                if (progressed)
                {
                    ReleaseIfDrained();
                    return FrameRead.Nothing;
                }

                if (await FillAsync().ConfigureAwait(false) is { } end)
                {
                    return End(end);
                }

                progressed = true; // a fill that yields only part of a header must not block again with the buffer held
                continue;
            }

            if (header.Opcode.IsControl())
            {
                _start += header.HeaderLength;
                var payload = _buffer.AsSpan(_start, (int)header.Length).ToArray();
                var keyOffset = 0;
                Masking.UnmaskCopy(payload, payload, header.MaskKey, ref keyOffset);
                _start += (int)header.Length;
                progressed = true;
                if (header.Opcode == Opcode.Close)
                {
                    return End(ReadClosePayload(payload));
                }

                if (header.Opcode == Opcode.Ping)
                {
                    await writer.SendPongAsync(payload).ConfigureAwait(false);
                }

                continue;
            }

            EnterDataFrame(header);
            if (header.Length == 0 && header.Fin)
            {
                ReleaseIfDrained();
                return new FrameRead(0, true, _messageKind);
            }
        }
    }

    /// <summary>
    /// Unmasks buffered payload into <paramref name="destination"/>. With <see cref="JoinMessages"/> it goes
    /// on into the frames that follow in the buffer, so a read that brought several frames is handed on as
    /// one piece (one send to the target instead of one per frame piece).
    /// </summary>
    private FrameRead CopyPayload(Span<byte> destination)
    {
        var copied = 0;
        while (true)
        {
            var take = (int)Math.Min(Math.Min(_frameRemaining, Buffered), destination.Length - copied);
            Masking.UnmaskCopy(_buffer.AsSpan(_start, take), destination[copied..], _maskKey, ref _maskOffset);
            _start += take;
            _frameRemaining -= take;
            copied += take;
            if (_frameRemaining > 0)
            {
                ReleaseIfDrained();
                return new FrameRead(copied, false, _messageKind);
            }

            _inDataFrame = false;
            if (!JoinMessages || copied == destination.Length || !TryEnterNextDataFrame())
            {
                ReleaseIfDrained();
                return new FrameRead(copied, _frameFin, _messageKind);
            }
        }
    }

    /// <summary>
    /// Joined reads continue only into a complete data frame of the same kind: a control frame, a header
    /// not yet all here, a change of kind or a violation ends the read, and the next call deals with it.
    /// </summary>
    private bool TryEnterNextDataFrame()
    {
        if (Buffered == 0)
        {
            return false;
        }

        var header = FrameHeader.Parse(_buffer.AsSpan(_start, Buffered), _inMessage);
        if (header.Violation is not null || !header.Complete || header.Opcode.IsControl())
        {
            return false;
        }

        if (KindOf(header) != _messageKind)
        {
            return false;
        }

        EnterDataFrame(header);
        return true;
    }

    /// <summary>Past a data frame's header: its payload (if any) is next, masked with its key.</summary>
    private void EnterDataFrame(in FrameHeader header)
    {
        _start += header.HeaderLength;
        _messageKind = KindOf(header);
        _inMessage = !header.Fin;
        _frameFin = header.Fin;
        _maskKey = header.MaskKey;
        _maskOffset = 0;
        _frameRemaining = header.Length;
        _inDataFrame = header.Length > 0;
    }

    /// <summary>A continuation carries on its message's kind.</summary>
    private MessageKind KindOf(in FrameHeader header) => header.Opcode switch
    {
        Opcode.Continuation => _messageKind,
        Opcode.Text => MessageKind.Text,
        _ => MessageKind.Binary,
    };

    private FrameRead ReadClosePayload(byte[] payload)
    {
        if (payload.Length == 0)
        {
            return FrameRead.Closed;
        }

        if (payload.Length == 1)
        {
            return FrameRead.Violation(CloseCodes.ProtocolError, "Protocol error: close payload of one byte");
        }

        var code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!CloseCodes.IsValidOnWire(code))
        {
            return FrameRead.Violation(CloseCodes.ProtocolError, $"Protocol error: invalid close code {code}");
        }

        var reason = payload.AsSpan(2);
        if (!Utf8.IsValid(reason))
        {
            return FrameRead.Violation(CloseCodes.InvalidPayload, "Invalid UTF-8 in close reason");
        }

        CloseReason = Encoding.UTF8.GetString(reason);
        CloseCode = code;
        return FrameRead.Closed;
    }

    /// <summary>Reads more into the buffer; a value when the connection ended instead.</summary>
    private async ValueTask<FrameRead?> FillAsync()
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

        int read;
        try
        {
            read = await stream.ReadAsync(_buffer.AsMemory(_end), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return FrameRead.EndOfStream(ex.Message);
        }

        if (read == 0)
        {
            return FrameRead.EndOfStream("connection closed without a close frame");
        }

        _end += read;
        Volatile.Write(ref _reads, _reads + 1);
        return null;
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
