using System.Net;

namespace Websockify.Net;

internal enum ProxyHeaderStatus
{
    /// <summary>What was read is a valid start of a header: read more (up to the limit) and ask again.</summary>
    NeedMore,

    /// <summary>A complete header of <see cref="ProxyHeaderParse.Length"/> bytes.</summary>
    Parsed,

    /// <summary>Not a PROXY header, or a broken one: the connection is refused.</summary>
    Invalid,
}

/// <summary>
/// What the PROXY header said. <see cref="Source"/> null with <see cref="ProxyHeaderStatus.Parsed"/>:
/// the balancer's own connection (v2 LOCAL, a health check) or an address it could not give (v1
/// UNKNOWN, v2 UNSPEC); the socket's own addresses then stand.
/// </summary>
internal readonly record struct ProxyHeaderParse(ProxyHeaderStatus Status, int Length, EndPoint? Source, EndPoint? Destination, string? Error)
{
    public static ProxyHeaderParse NeedMore { get; } = new(ProxyHeaderStatus.NeedMore, 0, null, null, null);

    public static ProxyHeaderParse Invalid(string error) => new(ProxyHeaderStatus.Invalid, 0, null, null, error);

    public static ProxyHeaderParse Parsed(int length, EndPoint? source = null, EndPoint? destination = null) =>
        new(ProxyHeaderStatus.Parsed, length, source, destination, null);
}
