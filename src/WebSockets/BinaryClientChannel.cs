namespace Websockify.WebSockets;

/// <summary>Binary messages in both directions; text is refused as upstream does (1003).</summary>
internal sealed class BinaryClientChannel(Stream stream) : FramedClientChannel(stream)
{
    /// <remarks>An idle wait (empty buffer) carries no payload to check: it is handed straight through, so an idle session holds one async frame fewer.</remarks>
    public override ValueTask<FrameRead> ReceiveAsync(Memory<byte> buffer) =>
        buffer.IsEmpty ? Reader.ReceiveAsync(buffer) : ReceiveCheckedAsync(buffer);

    private async ValueTask<FrameRead> ReceiveCheckedAsync(Memory<byte> buffer)
    {
        var read = await Reader.ReceiveAsync(buffer).ConfigureAwait(false);
        return read.Kind == MessageKind.Text
            ? FrameRead.Violation(CloseCodes.UnsupportedData, "Unsupported: Text frames are not supported")
            : read;
    }

    public override void IgnoreMessageBoundaries() => Reader.JoinMessages = true;

    public override ValueTask<bool> TrySendAsync(byte[] buffer, int offset, int count) => Writer.TrySendAsync(Opcode.Binary, buffer, offset, count);
}
