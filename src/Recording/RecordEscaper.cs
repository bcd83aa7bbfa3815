namespace Websockify.Recording;

/// <summary>
/// Bytes as the body of a JavaScript single-quoted string, byte for byte what upstream writes: the
/// bytes read as latin-1, then Python's <c>unicode_escape</c> (<c>\\</c>, <c>\t</c>, <c>\n</c>,
/// <c>\r</c>, <c>\xNN</c> in lower-case hex for other bytes below 0x20 and from 0x7f), then <c>'</c>
/// as <c>\'</c>. The output is ASCII; each input byte becomes at most <see cref="MaxExpansion"/> bytes.
/// </summary>
internal static class RecordEscaper
{
    public const int MaxExpansion = 4;

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>Writes the escaped form of <paramref name="input"/>; <paramref name="output"/> holds at least 4 × its length.</summary>
    public static int Escape(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var o = 0;
        foreach (var b in input)
        {
            switch (b)
            {
                case (byte)'\\':
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'\\';
                    break;
                case (byte)'\'':
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'\'';
                    break;
                case (byte)'\t':
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'t';
                    break;
                case (byte)'\n':
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'n';
                    break;
                case (byte)'\r':
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'r';
                    break;
                case < 0x20 or >= 0x7f:
                    output[o++] = (byte)'\\';
                    output[o++] = (byte)'x';
                    output[o++] = Hex[b >> 4];
                    output[o++] = Hex[b & 0xf];
                    break;
                default:
                    output[o++] = b;
                    break;
            }
        }

        return o;
    }
}
