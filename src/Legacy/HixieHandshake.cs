using System.Text;
using Websockify.Http;
using Websockify.WebSockets;

namespace Websockify.Legacy;

/// <summary>
/// An accepted Hixie-75/76 upgrade: what the 101 must echo (the origin, the location) and, for 76, the
/// two key numbers of the challenge. Recognised only with <c>--allow-hixie</c>, by the absence of
/// Sec-WebSocket-Version (every HyBi draft since 4 and RFC 6455 send it).
/// </summary>
internal sealed record HixieHandshake(HixieDraft Draft, string Origin, string Location, uint Key1 = 0, uint Key2 = 0)
{
    /// <summary>Hixie frames carry text only: websockify always sent the bytes as base64 inside them.</summary>
    private static readonly SubprotocolChoice Base64 = new("base64", PayloadEncoding.Base64);

    private static readonly SubprotocolChoice Unnamed = new(null, PayloadEncoding.Base64);

    public static bool IsHixieUpgrade(HttpRequest request) => request.Get("Sec-WebSocket-Version") is null;

    /// <exception cref="HttpRequestRejectedException">400 or 405 for a request neither draft allows.</exception>
    public static AcceptedHandshake Validate(HttpRequest request, bool secure)
    {
        if (request.Method != "GET")
        {
            throw new HttpRequestRejectedException(405, "WebSocket upgrades use GET");
        }

        if (request.Version != "HTTP/1.1")
        {
            throw new HttpRequestRejectedException(400, "WebSocket upgrades need HTTP/1.1");
        }

        var hosts = request.GetAll("Host").ToList();
        if (hosts.Count != 1 || hosts[0].Length == 0)
        {
            throw new HttpRequestRejectedException(400, "Exactly one Host header is required");
        }

        if (!request.HasToken("Connection", "upgrade"))
        {
            throw new HttpRequestRejectedException(400, "Connection header must include 'Upgrade'");
        }

        var origins = request.GetAll("Origin").ToList();
        if (origins.Count != 1)
        {
            throw new HttpRequestRejectedException(400, "A Hixie handshake needs exactly one Origin header");
        }

        var location = $"{(secure ? "wss" : "ws")}://{hosts[0]}{request.Target}";
        var key1 = request.Get("Sec-WebSocket-Key1");
        var key2 = request.Get("Sec-WebSocket-Key2");
        if (key1 is null && key2 is null)
        {
            return new AcceptedHandshake("", Choose(request.GetAll("WebSocket-Protocol")), new HixieHandshake(HixieDraft.Hixie75, origins[0], location));
        }

        if (key1 is null || key2 is null || !HixieKey.TryParse(key1, out var number1) || !HixieKey.TryParse(key2, out var number2))
        {
            throw new HttpRequestRejectedException(400, "Missing or invalid Sec-WebSocket-Key1/Key2");
        }

        return new AcceptedHandshake(
            "", Choose(request.GetAll("Sec-WebSocket-Protocol")), new HixieHandshake(HixieDraft.Hixie76, origins[0], location, number1, number2));
    }

    /// <summary>
    /// Hixie-76: reads the client's 8 challenge bytes (they follow the head; the deadline bounds the wait),
    /// then the 101 with the 16-byte answer after it. Hixie-75: the 101 alone.
    /// </summary>
    /// <exception cref="EndOfStreamException">The client closed before its 8 bytes.</exception>
    public async Task WriteResponseAsync(Stream stream, SubprotocolChoice subprotocol, CancellationToken cancellationToken)
    {
        byte[] answer = [];
        if (Draft == HixieDraft.Hixie76)
        {
            var challenge = new byte[HixieKey.ChallengeLength];
            await stream.ReadExactlyAsync(challenge, cancellationToken).ConfigureAwait(false);
            answer = HixieKey.Answer(Key1, Key2, challenge);
        }

        // The drafts' own status lines and header names: clients of that time compared them.
        var prefix = Draft == HixieDraft.Hixie76 ? "Sec-" : "";
        var head = new StringBuilder(Draft == HixieDraft.Hixie76
            ? "HTTP/1.1 101 WebSocket Protocol Handshake\r\n"
            : "HTTP/1.1 101 Web Socket Protocol Handshake\r\n");
        head.Append("Upgrade: WebSocket\r\nConnection: Upgrade\r\n");
        head.Append(prefix).Append("WebSocket-Origin: ").Append(Origin).Append("\r\n");
        head.Append(prefix).Append("WebSocket-Location: ").Append(Location).Append("\r\n");
        if (subprotocol.Name is not null)
        {
            head.Append(prefix).Append("WebSocket-Protocol: ").Append(subprotocol.Name).Append("\r\n");
        }

        head.Append("\r\n");
        await stream.WriteAsync((byte[])[.. Encoding.ASCII.GetBytes(head.ToString()), .. answer], cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Named back only when the client offered <c>base64</c>: that is what every Hixie session speaks.</summary>
    private static SubprotocolChoice Choose(IEnumerable<string> offered) =>
        offered.SelectMany(HttpRequest.SplitList).Contains("base64", StringComparer.Ordinal) ? Base64 : Unnamed;
}
