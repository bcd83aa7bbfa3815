using System.Buffers;
using System.Buffers.Text;

namespace Websockify.WebSockets;

/// <summary>
/// The old <c>base64</c> subprotocol: each text message is base64 of the bytes. Decoding is streamed
/// with a carry of at most three characters, so a message of any length needs no more than one buffer.
/// </summary>
internal sealed class Base64ClientChannel(Stream stream) : FramedClientChannel(stream)
{
    /// <summary>The white space <see cref="Base64"/> accepts between characters.</summary>
    private static readonly SearchValues<byte> WhiteSpace = SearchValues.Create(" \t\r\n"u8);

    private readonly byte[] _carry = new byte[4];
    private int _carryLength;

    /// <remarks>An idle wait (empty buffer) is handed straight through: nothing to decode, one async frame fewer.</remarks>
    public override ValueTask<FrameRead> ReceiveAsync(Memory<byte> buffer) =>
        buffer.IsEmpty ? Reader.ReceiveAsync(buffer) : ReceiveDecodedAsync(buffer);

    private async ValueTask<FrameRead> ReceiveDecodedAsync(Memory<byte> buffer)
    {
        var encodedCapacity = Math.Max(4, buffer.Length / 3 * 4);
        var encoded = ArrayPool<byte>.Shared.Rent(encodedCapacity);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(encoded);
            var read = await Reader.ReceiveAsync(encoded.AsMemory(_carryLength, encodedCapacity - _carryLength)).ConfigureAwait(false);
            switch (read.Kind)
            {
                case MessageKind.Binary:
                    return FrameRead.Violation(CloseCodes.UnsupportedData, "Unsupported: binary frames in base64 mode");
                case not MessageKind.Text:
                    return read;
            }

            var total = _carryLength + WithoutWhiteSpace(encoded.AsSpan(_carryLength, read.Count));
            var status = Base64.DecodeFromUtf8(
                encoded.AsSpan(0, total), buffer.Span, out var consumed, out var written, isFinalBlock: read.EndOfMessage);
            var complete = status == OperationStatus.Done || (status == OperationStatus.NeedMoreData && !read.EndOfMessage);
            if (!complete || total - consumed > 3)
            {
                return FrameRead.Violation(CloseCodes.InvalidPayload, "Invalid base64 data");
            }

            _carryLength = total - consumed;
            encoded.AsSpan(consumed, _carryLength).CopyTo(_carry);
            return new FrameRead(written, read.EndOfMessage, MessageKind.Binary);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    /// <summary>
    /// Drops base64's optional white space in place (upstream's b64decode skips it too) and returns the
    /// length left. The decoder skips it itself only within one call: across reads, with the carry, it
    /// lost or garbled bytes (found by fuzzing), so what it is given has none.
    /// </summary>
    private static int WithoutWhiteSpace(Span<byte> text)
    {
        var kept = text.IndexOfAny(WhiteSpace);
        if (kept < 0)
        {
            return text.Length;
        }

        for (var i = kept; i < text.Length; i++)
        {
            if (!WhiteSpace.Contains(text[i]))
            {
                text[kept++] = text[i];
            }
        }

        return kept;
    }

    public override async ValueTask<bool> TrySendAsync(byte[] buffer, int offset, int count)
    {
        var encodedLength = Base64.GetMaxEncodedToUtf8Length(count);
        var encoded = ArrayPool<byte>.Shared.Rent(FrameWriter.MaxHeaderLength + encodedLength);
        try
        {
            Base64.EncodeToUtf8(buffer.AsSpan(offset, count), encoded.AsSpan(FrameWriter.MaxHeaderLength), out _, out var written);
            return await Writer.TrySendAsync(Opcode.Text, encoded, FrameWriter.MaxHeaderLength, written).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }
}
