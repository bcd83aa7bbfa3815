using System.Buffers.Text;
using Websockify.Relay;

namespace Websockify.Recording;

/// <summary>
/// Upstream's recording file, which noVNC's playback page loads as a script: a JavaScript array
/// <c>var VNC_frame_data = [</c>, one line per message, <c>'{ms{data',</c> for a message sent to the
/// client and <c>'}ms}data',</c> for one received from it (ms since the session began), then
/// <c>'EOF'];</c>.
/// </summary>
internal static class RecordFormat
{
    public static ReadOnlySpan<byte> Header => "var VNC_frame_data = [\n"u8;

    public static ReadOnlySpan<byte> Footer => "'EOF'];\n"u8;

    /// <summary>Room an entry's head (quote, marks, milliseconds) needs at most.</summary>
    public const int MaxHeadLength = 24;

    public static ReadOnlySpan<byte> Tail => "',\n"u8;

    /// <summary><c>'{ms{</c> or <c>'}ms}</c>; returns its length.</summary>
    public static int WriteHead(PayloadDirection direction, long milliseconds, Span<byte> output)
    {
        var mark = direction == PayloadDirection.ToClient ? (byte)'{' : (byte)'}';
        output[0] = (byte)'\'';
        output[1] = mark;
        Utf8Formatter.TryFormat(Math.Max(0, milliseconds), output[2..], out var digits);
        output[2 + digits] = mark;
        return 3 + digits;
    }

    /// <summary>
    /// Not upstream: a recording that stopped early (queue full) says so in a comment before its end,
    /// so it still loads, and whoever plays it can see that it is cut.
    /// </summary>
    public static byte[] StoppedComment(string reason) =>
        System.Text.Encoding.ASCII.GetBytes($"// recording stopped here: {Sanitize(reason)}\n");

    private static string Sanitize(string reason) =>
        string.Create(reason.Length, reason, static (span, text) =>
        {
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = text[i] is >= ' ' and <= '~' ? text[i] : '?';
            }
        });
}
