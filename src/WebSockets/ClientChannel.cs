namespace Websockify.WebSockets;

/// <summary>
/// The client side of a session as a byte stream: hides how bytes travel (RFC 6455 binary messages,
/// base64 text, or an old Hixie draft's frames). The relay and the heartbeat see only this surface.
/// </summary>
internal abstract class ClientChannel
{
    /// <summary>How many reads brought bytes from the client so far (the heartbeat's sign of life).</summary>
    public abstract long Reads { get; }

    /// <summary>The client's close code; null when it sent none (an empty close, or a protocol without codes).</summary>
    public abstract int? CloseCode { get; }

    public abstract string CloseReason { get; }

    /// <summary>Once our close went out, no more data is sent.</summary>
    public abstract bool CloseSent { get; }

    /// <summary>The number of the write to the client in progress, 0 when none is: the send watchdog's view.</summary>
    public abstract long PendingWrite { get; }

    /// <summary>Whether the protocol has pings: only then may the heartbeat watch the session.</summary>
    public abstract bool CanPing { get; }

    public static ClientChannel Create(Stream stream, System.Net.Sockets.Socket socket, AcceptedHandshake handshake) =>
        handshake.Hixie is { } hixie ? new Legacy.HixieClientChannel(stream, hixie.Draft, socket) : Create(stream, handshake.Subprotocol.Encoding);

    public static ClientChannel Create(Stream stream, PayloadEncoding encoding) => encoding switch
    {
        PayloadEncoding.Base64 => new Base64ClientChannel(stream),
        _ => new BinaryClientChannel(stream),
    };

    /// <summary>
    /// Reads payload into <paramref name="buffer"/>. An empty buffer waits until the client sends
    /// something without holding any buffer; the result may then carry no bytes. How the client side
    /// ended (close, end of stream, a violation) comes back as a value too.
    /// </summary>
    public abstract ValueTask<FrameRead> ReceiveAsync(Memory<byte> buffer);

    /// <summary>
    /// Sends <paramref name="buffer"/>[offset..offset+count] as one message. The caller leaves at least
    /// <see cref="FrameWriter.MaxHeaderLength"/> bytes free before <paramref name="offset"/>.
    /// False, with nothing sent, once our close is out.
    /// </summary>
    public abstract ValueTask<bool> TrySendAsync(byte[] buffer, int offset, int count);

    /// <summary>An empty ping unless a write is in progress; false when nothing was sent.</summary>
    public abstract ValueTask<bool> TrySendPingAsync();

    /// <summary>Our close, once, bounded by <paramref name="limit"/>; a client that is gone or stuck is not an error.</summary>
    public abstract Task TrySendCloseAsync(int? code, string? reason, TimeSpan limit, TimeProvider time);

    /// <summary>
    /// The relay says message boundaries toward the target mean nothing (no observer records them): a read
    /// may then carry the payload of several messages. Only plain binary channels take it up.
    /// </summary>
    public virtual void IgnoreMessageBoundaries()
    {
    }

    /// <summary>After both pumps ended: hand the receive buffer back to the pool.</summary>
    public abstract void Release();
}
