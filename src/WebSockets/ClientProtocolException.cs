namespace Websockify.WebSockets;

/// <summary>The client broke RFC 6455 or a rule of this proxy: the session closes with <see cref="CloseCode"/>.</summary>
internal sealed class ClientProtocolException(int closeCode, string reason) : Exception(reason)
{
    public int CloseCode { get; } = closeCode;
}

/// <summary>The client's TCP connection ended without a close frame.</summary>
internal sealed class ClientDisconnectedException(string message) : Exception(message);
