namespace Websockify.Legacy;

/// <summary>
/// The protocols websockify was born with, each off unless asked for: the Hixie-75/76 drafts
/// (<c>--allow-hixie</c>; no integrity, a handshake any cross-site page could forge) and Flash's
/// socket policy answer (<c>--flash-policy</c>). Off, neither can be reached: a Hixie upgrade is
/// refused as an unsupported version and a policy request is a malformed HTTP request.
/// </summary>
internal sealed record LegacyProtocols(bool AllowHixie, bool FlashPolicy)
{
    public static LegacyProtocols None { get; } = new(false, false);
}
