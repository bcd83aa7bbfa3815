using System.Net.WebSockets;

namespace Websockify.WebSockets;

/// <summary>
/// The client side of a session as a byte stream: hides whether bytes travel as binary messages or
/// as base64 text. RFC 6455 framing rules are enforced by the runtime's WebSocket underneath, which
/// closes with 1002/1007 on a violation and then throws.
/// </summary>
internal abstract class ClientChannel(WebSocket socket)
{
    public WebSocket Socket { get; } = socket;

    public static ClientChannel Create(WebSocket socket, PayloadEncoding encoding) => encoding switch
    {
        PayloadEncoding.Base64 => new Base64ClientChannel(socket),
        _ => new BinaryClientChannel(socket),
    };

    /// <summary>
    /// Reads payload into <paramref name="buffer"/>. An empty buffer waits for the next frame without
    /// consuming payload, so an idle session holds no buffer.
    /// </summary>
    public abstract ValueTask<ClientRead> ReceiveAsync(Memory<byte> buffer);

    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> data);
}
