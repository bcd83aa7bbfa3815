namespace Websockify.WebSockets;

/// <summary>RFC 6455 §7.4 status codes the proxy sends, and which codes a peer may send.</summary>
internal static class CloseCodes
{
    public const int NormalClosure = 1000;
    public const int GoingAway = 1001;
    public const int ProtocolError = 1002;
    public const int UnsupportedData = 1003;
    public const int InvalidPayload = 1007;
    public const int InternalError = 1011;

    /// <summary>1005, 1006 and 1015 are reserved for reporting and never appear on the wire.</summary>
    public static bool IsValidOnWire(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
