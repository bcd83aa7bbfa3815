namespace Websockify.WebSockets;

internal enum MessageKind
{
    /// <summary>No payload in this read (a control frame was handled, or the wait found data pending).</summary>
    None,
    Binary,
    Text,

    /// <summary>The client's close frame arrived (<see cref="FrameReader.CloseCode"/> has its code).</summary>
    Close,

    /// <summary>The connection ended without a close frame.</summary>
    EndOfStream,

    /// <summary>The client broke RFC 6455 or a rule of this proxy: close with <see cref="FrameRead.ErrorCode"/>.</summary>
    ProtocolError,
}

/// <summary>
/// One read from the client: <see cref="Count"/> payload bytes of a message of kind <see cref="Kind"/>,
/// or how the client side ended. Values, not exceptions: a session ends this way on the data path.
/// </summary>
internal readonly record struct FrameRead(int Count, bool EndOfMessage, MessageKind Kind, int ErrorCode = 0, string? Error = null)
{
    /// <summary>The client side is finished: closed, gone, or in violation.</summary>
    public bool Ended => Kind is MessageKind.Close or MessageKind.EndOfStream or MessageKind.ProtocolError;

    public static FrameRead Nothing => new(0, false, MessageKind.None);

    public static FrameRead Closed => new(0, true, MessageKind.Close);

    public static FrameRead EndOfStream(string reason) => new(0, true, MessageKind.EndOfStream, Error: reason);

    public static FrameRead Violation(int closeCode, string reason) => new(0, true, MessageKind.ProtocolError, closeCode, reason);
}
