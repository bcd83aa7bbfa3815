namespace Websockify.Net;

/// <summary>
/// The fixed parts of HAProxy's PROXY protocol v2 (proxy-protocol.txt), shared by the header we write
/// to targets (<c>Targets.ProxyHeader</c>) and the one we read from balancers (<see cref="ProxyHeaderParser"/>).
/// </summary>
internal static class ProxyProtocolWire
{
    /// <summary>Signature, version and command, family and protocol, 16-bit length.</summary>
    public const int FixedBytes = 16;

    /// <summary>sun_path's size on Linux, and the spec's per-address size for AF_UNIX.</summary>
    public const int UnixAddressBytes = 108;

    public static ReadOnlySpan<byte> Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];
}
