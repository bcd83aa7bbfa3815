using System.Buffers.Binary;
using System.Text;

namespace Websockify.WebSockets;

/// <summary>
/// Writes server frames (never masked, never fragmented) to the client. One lock orders data, pongs and
/// the close frame; once the close frame is out, nothing else is written (RFC 6455 §5.5.1).
/// </summary>
internal sealed class FrameWriter(Stream stream)
{
    /// <summary>Room a caller leaves in front of its payload so the header is written in place, with no copy.</summary>
    public const int MaxHeaderLength = 10;

    private const int MaxCloseReasonBytes = 123;

    /// <summary>An empty ping, what upstream's heartbeat sends.</summary>
    private static readonly byte[] EmptyPing = [0x80 | (byte)Opcode.Ping, 0x00];

    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _closeSent;
    private WriteCounter _writes;

    public bool CloseSent => _closeSent;

    /// <summary>The number of the frame being written now, 0 when none is (for the send watchdog).</summary>
    public long PendingWrite => _writes.Pending;

    /// <summary>
    /// Sends <paramref name="buffer"/>[offset..offset+count] as one frame; offset must be at least
    /// <see cref="MaxHeaderLength"/>. False, with nothing written, once the close frame is out.
    /// </summary>
    public ValueTask<bool> TrySendAsync(Opcode opcode, byte[] buffer, int offset, int count, CancellationToken cancellationToken = default) =>
        WriteFrameAsync(opcode, buffer, offset, count, cancellationToken);

    public async ValueTask SendPongAsync(byte[] payload, CancellationToken cancellationToken = default)
    {
        // Closing already: a pong is no longer owed, so a refused write is fine.
        await WriteFrameAsync(Opcode.Pong, WithHeadroom(payload), MaxHeaderLength, payload.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends an empty ping unless a frame is being written right now (then the client is being sent
    /// data anyway, and waiting behind a stalled write would only pile up pings). False when not sent.
    /// </summary>
    public async ValueTask<bool> TrySendPingAsync()
    {
        if (!_lock.Wait(0))
        {
            return false;
        }

        try
        {
            if (_closeSent)
            {
                return false;
            }

            _writes.Begin();
            await stream.WriteAsync(EmptyPing).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _writes.End();
            _lock.Release();
        }
    }

    /// <summary>Sends the close frame once; later calls do nothing and return false. Null code: an empty close.</summary>
    public ValueTask<bool> SendCloseAsync(int? code, string? reason, CancellationToken cancellationToken = default)
    {
        var payload = code is null ? [] : ClosePayload(code.Value, reason ?? "");
        return WriteFrameAsync(Opcode.Close, WithHeadroom(payload), MaxHeaderLength, payload.Length, cancellationToken);
    }

    /// <summary>
    /// <see cref="SendCloseAsync"/> bounded by <paramref name="limit"/>, for a client that may be gone or no
    /// longer reading: the session ends either way, so failures are swallowed.
    /// </summary>
    public async Task TrySendCloseAsync(int? code, string? reason, TimeSpan limit, TimeProvider time)
    {
        try
        {
            using var timeout = new CancellationTokenSource(limit, time);
            await SendCloseAsync(code, reason, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    /// <summary>Writes one frame under the lock; false (nothing written) once the close frame is out.</summary>
    private async ValueTask<bool> WriteFrameAsync(Opcode opcode, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var headerLength = HeaderLength(count);
        WriteHeader(buffer.AsSpan(offset - headerLength, headerLength), opcode, count);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return false;
            }

            var isClose = opcode == Opcode.Close;
            _closeSent = isClose;
            _writes.Begin();
            await stream.WriteAsync(buffer.AsMemory(offset - headerLength, headerLength + count), cancellationToken).ConfigureAwait(false);
            if (isClose)
            {
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            _writes.End();
            _lock.Release();
        }
    }

    private static byte[] WithHeadroom(byte[] payload)
    {
        var frame = new byte[MaxHeaderLength + payload.Length];
        payload.CopyTo(frame, MaxHeaderLength);
        return frame;
    }

    private static byte[] ClosePayload(int code, string reason)
    {
        var reasonBytes = Encoding.UTF8.GetBytes(reason);
        var length = Math.Min(reasonBytes.Length, MaxCloseReasonBytes);

        // Never cut a UTF-8 sequence in half: back up to a character boundary.
        while (length < reasonBytes.Length && length > 0 && (reasonBytes[length] & 0xC0) == 0x80)
        {
            length--;
        }

        var payload = new byte[2 + length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reasonBytes.AsSpan(0, length).CopyTo(payload.AsSpan(2));
        return payload;
    }

    private static int HeaderLength(int payloadLength) => payloadLength switch
    {
        <= 125 => 2,
        <= 0xFFFF => 4,
        _ => 10,
    };

    private static void WriteHeader(Span<byte> header, Opcode opcode, int payloadLength)
    {
        header[0] = (byte)(0x80 | (byte)opcode);
        switch (header.Length)
        {
            case 2:
                header[1] = (byte)payloadLength;
                break;
            case 4:
                header[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)payloadLength);
                break;
            default:
                header[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)payloadLength);
                break;
        }
    }
}
