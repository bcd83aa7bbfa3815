using System.Text;

namespace Websockify.WebSockets;

/// <summary>RFC 6455 §4.2.2: the Sec-WebSocket-Accept value proves the server read the client's key.</summary>
internal static class AcceptKey
{
    private const string Guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    public static string Compute(string clientKey)
    {
        Span<byte> hash = stackalloc byte[Sha1.HashLength];
        Sha1.HashData(Encoding.ASCII.GetBytes(clientKey + Guid), hash);
        return Convert.ToBase64String(hash);
    }

    /// <summary>A valid key is base64 of exactly 16 bytes (RFC 6455 §4.1 item 7).</summary>
    public static bool IsValidClientKey(string? key)
    {
        Span<byte> decoded = stackalloc byte[18];
        return key is { Length: 24 } && Convert.TryFromBase64String(key, decoded, out var written) && written == 16;
    }
}
