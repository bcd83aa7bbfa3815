using Websockify.Http;

namespace Websockify.WebSockets;

/// <summary>An accepted upgrade: what to answer and how the payload is encoded.</summary>
/// <param name="Hixie">Set for an old Hixie-75/76 upgrade (<c>--allow-hixie</c>): its own 101 and framing; <paramref name="AcceptKey"/> is then unused.</param>
internal sealed record AcceptedHandshake(string AcceptKey, SubprotocolChoice Subprotocol, Legacy.HixieHandshake? Hixie = null);

/// <summary>Checks an upgrade request (RFC 6455 §4.2.1) and refuses it with the right HTTP status.</summary>
internal static class HandshakeValidator
{
    /// <summary>HyBi drafts 7 and 8 frame exactly like RFC 6455 (13); upstream accepts all three.</summary>
    private static readonly string[] SupportedVersions = ["13", "8", "7"];

    public static bool IsUpgradeRequest(HttpRequest request) => request.HasToken("Upgrade", "websocket");

    /// <exception cref="HttpRequestRejectedException">With 400, 405 or 426 when the handshake is not acceptable.</exception>
    public static AcceptedHandshake Validate(HttpRequest request)
    {
        if (request.Method != "GET")
        {
            throw new HttpRequestRejectedException(405, "WebSocket upgrades use GET");
        }

        if (request.Version != "HTTP/1.1")
        {
            throw new HttpRequestRejectedException(400, "WebSocket upgrades need HTTP/1.1");
        }

        if (request.GetAll("Host").Count() != 1)
        {
            throw new HttpRequestRejectedException(400, "Exactly one Host header is required");
        }

        if (!request.HasToken("Connection", "upgrade"))
        {
            throw new HttpRequestRejectedException(400, "Connection header must include 'Upgrade'");
        }

        var version = request.Get("Sec-WebSocket-Version");
        if (version is null || !SupportedVersions.Contains(version.Trim()))
        {
            throw new HttpRequestRejectedException(
                new HttpRejection(426, $"Unsupported WebSocket version '{version}'", [new("Sec-WebSocket-Version", "13")]));
        }

        var keys = request.GetAll("Sec-WebSocket-Key").ToList();
        if (keys.Count != 1 || !AcceptKey.IsValidClientKey(keys[0]))
        {
            throw new HttpRequestRejectedException(400, "Missing or invalid Sec-WebSocket-Key");
        }

        return new AcceptedHandshake(
            AcceptKey.Compute(keys[0]),
            SubprotocolNegotiator.Choose(request.GetAll("Sec-WebSocket-Protocol")));
    }
}
