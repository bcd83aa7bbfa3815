using System.Buffers;
using System.Globalization;
using System.Text;

namespace Websockify.Logging;

/// <summary>
/// Makes a message safe to write as one log line. Client data reaches the log (close reasons, request
/// targets, header values), so a raw LF would forge a line (at any priority under the journal) and an
/// ESC or C1 byte would drive the operator's terminal. Every control character becomes a visible
/// escape; the backslash itself is doubled so an escape in the output always means one in the input.
/// </summary>
internal static class LogEscaper
{
    /// <summary>
    /// UTF-8 bytes of message per line, marker included: with the longest prefix and the newline a line
    /// stays under PIPE_BUF (4096), so it is one atomic write even on a pipe shared with a wrapped program.
    /// </summary>
    public const int MaxMessageBytes = 4000;

    /// <summary>Room kept for <c> [... N bytes cut]</c> when a message is cut.</summary>
    private const int MarkerReserve = 32;

    /// <summary>
    /// What is escaped: C0, the backslash, DEL and C1 controls; U+2028/U+2029, which some viewers break
    /// lines at; the bidirectional overrides and isolates, which reorder what a reader sees; and
    /// surrogates (valid pairs are kept on the slow path). Listed by range: filtering all 65,536 units
    /// at start-up cost each socket-activated connection ~0.5 ms.
    /// </summary>
    private static readonly SearchValues<char> Unsafe = SearchValues.Create(Ranges(
        ('\0', '\u001f'), ('\\', '\\'), ('\u007f', '\u009f'), ('\u2028', '\u202e'), ('\u2066', '\u2069'), ('\ud800', '\udfff')));

    public static string Escape(string message)
    {
        if (IsSafe(message))
        {
            return message;
        }

        var escaped = new StringBuilder(Math.Min(message.Length + 16, MaxMessageBytes));
        var bytes = 0;
        var cutAt = -1;
        var cutLength = 0;
        for (var i = 0; i < message.Length; i++)
        {
            var before = escaped.Length;
            var c = message[i];
            int unitBytes;
            var pair = char.IsHighSurrogate(c) && i + 1 < message.Length && char.IsLowSurrogate(message[i + 1]);
            if (pair)
            {
                escaped.Append(c).Append(message[i + 1]);
                unitBytes = 4;
            }
            else
            {
                AppendEscaped(escaped, c);
                unitBytes = Utf8Length(escaped, before);
            }

            // The last place a cut leaves room for its marker; used only once the whole proves too long.
            if (cutAt < 0 && bytes + unitBytes > MaxMessageBytes - MarkerReserve)
            {
                cutAt = i;
                cutLength = before;
            }

            bytes += unitBytes;
            if (bytes > MaxMessageBytes)
            {
                var cut = Encoding.UTF8.GetByteCount(message.AsSpan(cutAt));
                escaped.Length = cutLength;
                return escaped.Append(CultureInfo.InvariantCulture, $" [... {cut} bytes cut]").ToString();
            }

            if (pair)
            {
                i++;
            }
        }

        return escaped.ToString();
    }

    /// <summary>The common case, checked without allocating (and vectorized): nothing to escape and short enough.</summary>
    private static bool IsSafe(string message) =>
        message.Length <= MaxMessageBytes
        && message.AsSpan().IndexOfAny(Unsafe) < 0
        && (Ascii.IsValid(message) || Encoding.UTF8.GetByteCount(message) <= MaxMessageBytes);

    private static string Ranges(params ReadOnlySpan<(char First, char Last)> ranges)
    {
        var all = new StringBuilder();
        foreach (var (first, last) in ranges)
        {
            for (var c = first; c <= last; c++)
            {
                all.Append(c);
            }
        }

        return all.ToString();
    }

    /// <summary>Appends one UTF-16 unit that is not half of a valid surrogate pair.</summary>
    private static void AppendEscaped(StringBuilder escaped, char c)
    {
        switch (c)
        {
            case '\\':
                escaped.Append(@"\\");
                break;
            case '\n':
                escaped.Append(@"\n");
                break;
            case '\r':
                escaped.Append(@"\r");
                break;
            case '\t':
                escaped.Append(@"\t");
                break;
            case < ' ' or '\x7f':
                escaped.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                break;
            default:
                // A lone surrogate is shown too: encoding it would silently turn it into U+FFFD.
                if (Unsafe.Contains(c))
                {
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                }
                else
                {
                    escaped.Append(c);
                }

                break;
        }
    }

    /// <summary>UTF-8 length of what was appended since <paramref name="from"/> (no surrogates there).</summary>
    private static int Utf8Length(StringBuilder escaped, int from)
    {
        var length = 0;
        for (var i = from; i < escaped.Length; i++)
        {
            length += escaped[i] switch
            {
                < '\x80' => 1,
                < '\u0800' => 2,
                _ => 3,
            };
        }

        return length;
    }
}
