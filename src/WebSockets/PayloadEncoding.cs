namespace Websockify.WebSockets;

/// <summary>How data travels inside WebSocket messages for this session.</summary>
internal enum PayloadEncoding
{
    /// <summary>Binary messages carry the bytes as they are (subprotocol <c>binary</c>, or none).</summary>
    Binary,

    /// <summary>Text messages carry base64 of the bytes (subprotocol <c>base64</c>, for old clients).</summary>
    Base64,
}
