namespace Websockify.WebSockets;

/// <summary>Binary messages in both directions; text is refused as upstream does (1003).</summary>
internal sealed class BinaryClientChannel(Stream stream) : ClientChannel(stream)
{
    public override async ValueTask<FrameRead> ReceiveAsync(Memory<byte> buffer)
    {
        var read = await Reader.ReceiveAsync(buffer).ConfigureAwait(false);
        if (read.Kind == MessageKind.Text)
        {
            throw new ClientProtocolException(CloseCodes.UnsupportedData, "Unsupported: Text frames are not supported");
        }

        return read;
    }

    public override ValueTask SendAsync(byte[] buffer, int offset, int count) => Writer.SendAsync(0x2, buffer, offset, count);
}
