using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;

namespace Websockify.WebSockets;

/// <summary>
/// The old <c>base64</c> subprotocol: each text message is base64 of the bytes. Decoding is streamed
/// with a carry of at most three characters, so a message of any length needs no more than one buffer.
/// </summary>
internal sealed class Base64ClientChannel(WebSocket socket) : ClientChannel(socket)
{
    private readonly byte[] _carry = new byte[4];
    private int _carryLength;

    public override async ValueTask<ClientRead> ReceiveAsync(Memory<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            var waited = await Socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
            return waited.MessageType == WebSocketMessageType.Close
                ? ClientRead.Close
                : new ClientRead(0, waited.EndOfMessage, false);
        }

        var encodedCapacity = Math.Max(4, buffer.Length / 3 * 4);
        var encoded = ArrayPool<byte>.Shared.Rent(encodedCapacity);
        try
        {
            _carry.AsSpan(0, _carryLength).CopyTo(encoded);
            var result = await Socket.ReceiveAsync(encoded.AsMemory(_carryLength, encodedCapacity - _carryLength), CancellationToken.None)
                .ConfigureAwait(false);
            switch (result.MessageType)
            {
                case WebSocketMessageType.Close:
                    return ClientRead.Close;
                case WebSocketMessageType.Binary:
                    throw new ClientProtocolException(
                        WebSocketCloseStatus.InvalidMessageType, "Unsupported: binary frames in base64 mode");
            }

            var total = _carryLength + result.Count;
            var status = Base64.DecodeFromUtf8(
                encoded.AsSpan(0, total), buffer.Span, out var consumed, out var written, isFinalBlock: result.EndOfMessage);
            var complete = status == OperationStatus.Done || (status == OperationStatus.NeedMoreData && !result.EndOfMessage);
            if (!complete || total - consumed > 3)
            {
                throw new ClientProtocolException(WebSocketCloseStatus.InvalidPayloadData, "Invalid base64 data");
            }

            _carryLength = total - consumed;
            encoded.AsSpan(consumed, _carryLength).CopyTo(_carry);
            return new ClientRead(written, result.EndOfMessage, false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }

    public override async ValueTask SendAsync(ReadOnlyMemory<byte> data)
    {
        var encoded = ArrayPool<byte>.Shared.Rent(Base64.GetMaxEncodedToUtf8Length(data.Length));
        try
        {
            Base64.EncodeToUtf8(data.Span, encoded, out _, out var written);
            await Socket.SendAsync(encoded.AsMemory(0, written), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None)
                .ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(encoded);
        }
    }
}
