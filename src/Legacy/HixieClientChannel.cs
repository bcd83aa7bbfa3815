using System.Buffers;
using System.Buffers.Text;
using System.Net.Sockets;
using Websockify.WebSockets;

namespace Websockify.Legacy;

/// <summary>
/// Hixie-75/76 framing: a message is 0x00, text, 0xFF, and (76 only) 0xFF 0x00 closes. The text is
/// base64 of the bytes, as websockify always sent it. The client's frames are read through one pooled
/// buffer and decoded as they arrive, so a message of any length costs no more than that buffer, and
/// the buffer goes back to the pool whenever it is drained: an idle session holds none. There are no
/// pings in these drafts, so the heartbeat leaves such sessions alone (<see cref="CanPing"/>).
/// Any other frame type from the client is a protocol error: browsers of the time sent only text.
/// </summary>
/// <param name="socket">The client's connection: Hixie-75 has no closing frame, so our close is its FIN.</param>
internal sealed class HixieClientChannel(Stream stream, HixieDraft draft, Socket socket) : ClientChannel
{
    private const int BufferSize = 64 * 1024;
    private const byte FrameStart = 0x00;
    private const byte FrameEnd = 0xFF;

    private static readonly byte[] CloseFrame = [0xFF, 0x00];

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;
    private volatile bool _closeSent;
    private WriteCounter _writes;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    private State _state;
    private FrameRead? _ended;
    private long _reads;

    private enum State
    {
        BetweenFrames,
        InText,
        AfterFrameEnd,
    }

    public override long Reads => Volatile.Read(ref _reads);

    public override int? CloseCode => null;

    public override string CloseReason => "";

    public override bool CloseSent => _closeSent;

    public override long PendingWrite => _writes.Pending;

    public override bool CanPing => false;

    private int Buffered => _end - _start;

    public override ValueTask<FrameRead> ReceiveAsync(Memory<byte> buffer) =>
        _ended is { } ended ? ValueTask.FromResult(ended) : ReceiveCoreAsync(buffer);

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

        while (true)
        {
            if (Buffered == 0 && !await FillAsync().ConfigureAwait(false))
            {
                return End(FrameRead.EndOfStream(_state == State.InText ? "connection closed inside a frame" : "connection closed"));
            }

            switch (_state)
            {
                case State.BetweenFrames:
                    var type = _buffer![_start++];
                    if (type == FrameStart)
                    {
                        _state = State.InText;
                    }
                    else if (type == FrameEnd && draft == HixieDraft.Hixie76)
                    {
                        _state = State.AfterFrameEnd;
                    }
                    else
                    {
                        return End(FrameRead.Violation(CloseCodes.ProtocolError, $"Unsupported Hixie frame type 0x{type:x2}"));
                    }

                    break;
                case State.AfterFrameEnd:
                    return _buffer![_start++] == 0x00
                        ? End(FrameRead.Closed)
                        : End(FrameRead.Violation(CloseCodes.ProtocolError, "Unsupported Hixie frame type 0xff"));
                default:
                    if (DecodeText(destination.Span) is { } read)
                    {
                        ReleaseIfDrained();
                        return read;
                    }

                    break;
            }
        }
    }

    /// <summary>Decodes what is buffered of the current text frame; null when that was only a partial base64 quantum.</summary>
    private FrameRead? DecodeText(Span<byte> destination)
    {
        var available = _buffer.AsSpan(_start, Buffered);
        var room = Math.Max(4, destination.Length / 3 * 4) - _carryLength;
        var endAt = available[..Math.Min(available.Length, room)].IndexOf(FrameEnd);
        var final = endAt >= 0;
        var text = final ? available[..endAt] : available[..Math.Min(available.Length, room)];

        var encoded = ArrayPool<byte>.Shared.Rent(_carryLength + text.Length);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(encoded);
            text.CopyTo(encoded.AsSpan(_carryLength));
            var total = _carryLength + text.Length;
            var status = Base64.DecodeFromUtf8(encoded.AsSpan(0, total), destination, out var consumed, out var written, isFinalBlock: final);
            var complete = status == OperationStatus.Done || (status == OperationStatus.NeedMoreData && !final);
            if (!complete || total - consumed > 3)
            {
                return End(FrameRead.Violation(CloseCodes.InvalidPayload, "Invalid base64 data"));
            }

            _carryLength = total - consumed;
            encoded.AsSpan(consumed, _carryLength).CopyTo(_carry);
            _start += text.Length + (final ? 1 : 0);
            if (final)
            {
                _state = State.BetweenFrames;
                return new FrameRead(written, true, MessageKind.Binary);
            }

            return written > 0 ? new FrameRead(written, false, MessageKind.Binary) : null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    private async ValueTask<bool> FillAsync()
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(BufferSize);
        _start = 0;
        _end = 0;
        var read = await stream.ReadAsync(_buffer.AsMemory(0, BufferSize)).ConfigureAwait(false);
        if (read == 0)
        {
            return false;
        }

        Interlocked.Increment(ref _reads);
        _end = read;
        return true;
    }

    private FrameRead End(FrameRead ending)
    {
        _ended = ending;
        ReleaseIfDrained();
        return ending;
    }

    private void ReleaseIfDrained()
    {
        if (Buffered == 0)
        {
            Release();
        }
    }

    public override async ValueTask<bool> TrySendAsync(byte[] buffer, int offset, int count)
    {
        var encodedLength = Base64.GetMaxEncodedToUtf8Length(count);
        var frame = ArrayPool<byte>.Shared.Rent(encodedLength + 2);
        try
        {
            frame[0] = FrameStart;
            Base64.EncodeToUtf8(buffer.AsSpan(offset, count), frame.AsSpan(1), out _, out var written);
            frame[1 + written] = FrameEnd;
            await _writeLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (_closeSent)
                {
                    return false;
                }

                _writes.Begin();
                await stream.WriteAsync(frame.AsMemory(0, written + 2)).ConfigureAwait(false);
                return true;
            }
            finally
            {
                _writes.End();
                _writeLock.Release();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(frame);
        }
    }

    public override ValueTask<bool> TrySendPingAsync() => ValueTask.FromResult(false);

    /// <summary>Hixie-76 has a closing frame and no codes (the reason stays in our log); Hixie-75 only closes the connection.</summary>
    public override async Task TrySendCloseAsync(int? code, string? reason, TimeSpan limit, TimeProvider time)
    {
        try
        {
            using var timeout = new CancellationTokenSource(limit, time);
            await _writeLock.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                if (_closeSent)
                {
                    return;
                }

                _closeSent = true;
                if (draft == HixieDraft.Hixie76)
                {
                    await stream.WriteAsync(CloseFrame, timeout.Token).ConfigureAwait(false);
                }
                else
                {
                    socket.Shutdown(SocketShutdown.Send); // the client sees the end, and closes its side as its close
                }
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Both pumps are done: whatever is still buffered will never be read.</summary>
    public override void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _start = _end = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
