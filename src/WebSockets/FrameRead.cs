namespace Websockify.WebSockets;

internal enum MessageKind
{
    /// <summary>No payload in this read (a control frame was handled, or the wait found data pending).</summary>
    None,
    Binary,
    Text,
    Close,
}

/// <summary>One read from the client: <see cref="Count"/> payload bytes of a message of kind <see cref="Kind"/>.</summary>
internal readonly record struct FrameRead(int Count, bool EndOfMessage, MessageKind Kind)
{
    public bool Closed => Kind == MessageKind.Close;

    public static FrameRead Nothing => new(0, false, MessageKind.None);
}
