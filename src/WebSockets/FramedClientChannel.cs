namespace Websockify.WebSockets;

/// <summary>RFC 6455 (and HyBi 7/8) frames underneath: the reader enforces the framing rules, the writer orders our frames.</summary>
internal abstract class FramedClientChannel : ClientChannel
{
    protected FramedClientChannel(Stream stream)
    {
        Writer = new FrameWriter(stream);
        Reader = new FrameReader(stream, Writer);
    }

    public FrameReader Reader { get; }

    public FrameWriter Writer { get; }

    public override long Reads => Reader.Reads;

    public override int? CloseCode => Reader.CloseCode;

    public override string CloseReason => Reader.CloseReason;

    public override bool CloseSent => Writer.CloseSent;

    public override long PendingWrite => Writer.PendingWrite;

    public override bool CanPing => true;

    public override ValueTask<bool> TrySendPingAsync() => Writer.TrySendPingAsync();

    public override Task TrySendCloseAsync(int? code, string? reason, TimeSpan limit, TimeProvider time) =>
        Writer.TrySendCloseAsync(code, reason, limit, time);

    public override void Release() => Reader.Release();
}
