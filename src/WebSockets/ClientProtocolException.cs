using System.Net.WebSockets;

namespace Websockify.WebSockets;

/// <summary>The client broke a rule of this proxy (not of RFC 6455 itself): the session closes with this code.</summary>
internal sealed class ClientProtocolException(WebSocketCloseStatus status, string reason) : Exception(reason)
{
    public WebSocketCloseStatus Status { get; } = status;
}
