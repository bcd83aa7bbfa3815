namespace Websockify.Targets;

/// <summary><c>--target-proxy-protocol</c>: which form of HAProxy's PROXY protocol header opens each target connection.</summary>
internal enum ProxyProtocolVersion
{
    /// <summary>The text line, <c>PROXY TCP4 src dst sport dport\r\n</c>.</summary>
    V1,

    /// <summary>The binary header: signature, version and command, family, length, addresses.</summary>
    V2,
}
