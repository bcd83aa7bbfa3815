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

    private readonly SemaphoreSlim _lock = new(1, 1);
    private volatile bool _closeSent;

    public bool CloseSent => _closeSent;

    /// <summary>Sends <paramref name="buffer"/>[offset..offset+count] as one frame; offset must be at least <see cref="MaxHeaderLength"/>.</summary>
    public async ValueTask SendAsync(byte opcode, byte[] buffer, int offset, int count, CancellationToken cancellationToken = default)
    {
        var headerLength = HeaderLength(count);
        WriteHeader(buffer.AsSpan(offset - headerLength, headerLength), opcode, count);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                throw new InvalidOperationException("the close frame was already sent");
            }

            await stream.WriteAsync(buffer.AsMemory(offset - headerLength, headerLength + count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask SendPongAsync(byte[] payload, CancellationToken cancellationToken = default)
    {
        var frame = new byte[MaxHeaderLength + payload.Length];
        payload.CopyTo(frame, MaxHeaderLength);
        try
        {
            await SendAsync(0xA, frame, MaxHeaderLength, payload.Length, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Closing already: a pong is no longer owed.
        }
    }

    /// <summary>Sends the close frame once; later calls do nothing and return false. Null code: an empty close.</summary>
    public async ValueTask<bool> SendCloseAsync(int? code, string? reason, CancellationToken cancellationToken = default)
    {
        var payload = code is null ? [] : ClosePayload(code.Value, reason ?? "");
        var frame = new byte[MaxHeaderLength + payload.Length];
        payload.CopyTo(frame, MaxHeaderLength);
        var headerLength = HeaderLength(payload.Length);
        WriteHeader(frame.AsSpan(MaxHeaderLength - headerLength, headerLength), 0x8, payload.Length);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_closeSent)
            {
                return false;
            }

            _closeSent = true;
            await stream.WriteAsync(frame.AsMemory(MaxHeaderLength - headerLength), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _lock.Release();
        }
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

    private static void WriteHeader(Span<byte> header, byte opcode, int payloadLength)
    {
        header[0] = (byte)(0x80 | opcode);
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
