namespace Websockify.WebSockets;

/// <summary>
/// The client side of a session as a byte stream: hides whether bytes travel as binary messages or
/// as base64 text. Framing rules are enforced by <see cref="FrameReader"/> underneath.
/// </summary>
internal abstract class ClientChannel
{
    protected ClientChannel(Stream stream)
    {
        Writer = new FrameWriter(stream);
        Reader = new FrameReader(stream, Writer);
    }

    public FrameReader Reader { get; }

    public FrameWriter Writer { get; }

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
    /// False, with nothing sent, once our close frame is out.
    /// </summary>
    public abstract ValueTask<bool> TrySendAsync(byte[] buffer, int offset, int count);
}
