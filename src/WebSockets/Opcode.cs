namespace Websockify.WebSockets;

/// <summary>RFC 6455 §5.2 opcodes; 0x3-0x7 and 0xB-0xF are reserved and refused.</summary>
internal enum Opcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}

internal static class OpcodeRules
{
    public static bool IsControl(this Opcode opcode) => (byte)opcode >= 0x8;

    public static bool IsDefined(byte value) => value is <= 0x2 or (>= 0x8 and <= 0xA);
}
