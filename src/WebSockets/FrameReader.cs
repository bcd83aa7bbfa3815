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
    /// <summary>A 64 KiB payload plus its 14-byte header fits in one read.</summary>
    private const int BufferSize = 64 * 1024 + 16;

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

            var (opcode, fin, length) = (header.Opcode, header.Fin, header.Length);
            _maskKey = header.MaskKey;
            _start += header.HeaderLength;
            if (opcode.IsControl())
            {
                var payload = _buffer.AsSpan(_start, (int)length).ToArray();
                var keyOffset = 0;
                Masking.UnmaskCopy(payload, payload, _maskKey, ref keyOffset);
                _start += (int)length;
                progressed = true;
                if (opcode == Opcode.Close)
                {
                    return End(ReadClosePayload(payload));
                }

                if (opcode == Opcode.Ping)
                {
                    await writer.SendPongAsync(payload).ConfigureAwait(false);
                }

                continue;
            }

            if (opcode != Opcode.Continuation)
            {
                _messageKind = opcode == Opcode.Text ? MessageKind.Text : MessageKind.Binary;
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
