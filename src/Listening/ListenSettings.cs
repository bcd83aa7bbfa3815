namespace Websockify.Listening;

/// <summary>
/// Where to listen: <paramref name="Host"/> null means every interface (dual-stack where the host has
/// IPv6); <paramref name="PreferIpv6"/> picks a name's IPv6 address first (<c>-6</c>).
/// </summary>
internal sealed record ListenSettings(string? Host, int Port, bool PreferIpv6 = false);
