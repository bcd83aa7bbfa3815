using Websockify.Http;

namespace Websockify.WebSockets;

/// <summary>The subprotocol to answer with (null: send no header) and what it means for the payload.</summary>
internal sealed record SubprotocolChoice(string? Name, PayloadEncoding Encoding);

/// <summary>
/// <c>binary</c> wins when offered; <c>base64</c> is chosen only when it is the one we know that was offered;
/// anything else gets no header (RFC 6455 §4.2.2 lets the server decline), where upstream answers 400.
/// The offer list is split on commas with whitespace trimmed, so <c>base64, binary</c> works (upstream bug).
/// </summary>
internal static class SubprotocolNegotiator
{
    public static SubprotocolChoice Choose(IEnumerable<string> headerValues)
    {
        var offered = headerValues.SelectMany(HttpRequest.SplitList).ToList();
        if (offered.Contains("binary", StringComparer.Ordinal))
        {
            return new("binary", PayloadEncoding.Binary);
        }

        if (offered.Contains("base64", StringComparer.Ordinal))
        {
            return new("base64", PayloadEncoding.Base64);
        }

        return new(null, PayloadEncoding.Binary);
    }
}
