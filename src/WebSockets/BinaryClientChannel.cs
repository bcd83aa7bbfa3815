using System.Net.WebSockets;

namespace Websockify.WebSockets;

/// <summary>Binary messages in both directions; text is refused as upstream does (1003).</summary>
internal sealed class BinaryClientChannel(WebSocket socket) : ClientChannel(socket)
{
    public override async ValueTask<ClientRead> ReceiveAsync(Memory<byte> buffer)
    {
        var result = await Socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
        return result.MessageType switch
        {
            WebSocketMessageType.Close => ClientRead.Close,
            WebSocketMessageType.Text => throw new ClientProtocolException(
                WebSocketCloseStatus.InvalidMessageType, "Unsupported: Text frames are not supported"),
            _ => new ClientRead(result.Count, result.EndOfMessage, false),
        };
    }

    public override ValueTask SendAsync(ReadOnlyMemory<byte> data) =>
        Socket.SendAsync(data, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
}
