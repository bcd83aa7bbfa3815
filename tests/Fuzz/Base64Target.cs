using System.Text;
using Websockify.WebSockets;

namespace Websockify.Fuzz;

/// <summary>
/// The <c>base64</c> subprotocol's receive side: <see cref="Base64ClientChannel"/> decoding text
/// messages streamed in fragments, with a carry between reads. Input: a schedule byte, a receive-size
/// byte, a fragmenting byte (low 7 bits: fragment length, 0 for whole frames; top bit: a ping between
/// fragments), then the messages' text separated by NUL; a message starting with 0x01 goes as a binary
/// frame. The frames end with a close. The oracle: a message the channel accepts decodes to what
/// <see cref="Convert.FromBase64String"/> makes of its text, plain base64 (no white space) that Convert
/// refuses is refused, and canonical base64 is accepted.
/// </summary>
public sealed class Base64Target : IFuzzTarget
{
    public string Name => "base64";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        var messages = Split(input[3..]);
        var wire = Frames(messages, input[2]);
        var stream = new ScriptedStream(wire, input[0]);
        var channel = new Base64ClientChannel(stream);

        // The relay receives into 64 KiB; below 3 bytes not even one base64 quantum fits.
        var sizes = new ReceiveSizes(input[1], minimum: 3);
        var message = 0;
        var decoded = new MemoryStream();
        ReceiveLoop.Run(wire.Length, sizes, buffer => Synchronously.Result(channel.ReceiveAsync(buffer)), (read, data) =>
        {
            decoded.Write(data.Span);
            if (read.Kind == MessageKind.ProtocolError && message < messages.Count)
            {
                CheckRefused(messages[message]);
            }

            if (!read.Ended && read.EndOfMessage)
            {
                CheckAccepted(messages[message++], decoded.ToArray());
                decoded.SetLength(0);
            }
        });

        channel.Release();
    }

    private static List<byte[]> Split(ReadOnlySpan<byte> text)
    {
        var messages = new List<byte[]>();
        foreach (var range in text.Split((byte)0))
        {
            messages.Add(text[range].ToArray());
        }

        return messages;
    }

    private static byte[] Frames(List<byte[]> messages, byte fragmenting)
    {
        var frames = new ClientFrames();
        var fragment = fragmenting & 0x7F;
        foreach (var message in messages)
        {
            if (message is [0x01, ..])
            {
                frames.Add(0x2, fin: true, message.AsSpan(1));
                continue;
            }

            var step = fragment == 0 ? Math.Max(1, message.Length) : fragment;
            var at = 0;
            do
            {
                var take = Math.Min(step, message.Length - at);
                frames.Add(at == 0 ? (byte)0x1 : (byte)0x0, fin: at + take == message.Length, message.AsSpan(at, take));
                at += take;
                if ((fragmenting & 0x80) != 0 && at < message.Length)
                {
                    frames.Add(0x9, fin: true, "fuzz"u8);
                }
            }
            while (at < message.Length);
        }

        frames.Add(0x8, fin: true, [0x03, 0xE8]);
        return frames.ToArray();
    }

    private static void CheckAccepted(byte[] text, byte[] decoded)
    {
        if (Decode(text) is { } expected)
        {
            if (!expected.AsSpan().SequenceEqual(decoded))
            {
                throw new FuzzInvariantException($"'{Encoding.Latin1.GetString(text)}' decoded to {Convert.ToHexString(decoded)}, not {Convert.ToHexString(expected)}");
            }
        }
        else if (IsPlain(text))
        {
            throw new FuzzInvariantException($"'{Encoding.Latin1.GetString(text)}' is not base64, yet accepted as {Convert.ToHexString(decoded)}");
        }
    }

    private static void CheckRefused(byte[] text)
    {
        // Canonical only: non-zero bits in the last character's unused part (RFC 4648 §3.5) are refused
        // by the daemon's decoder, though Convert (and upstream's Python) accept them. No encoder makes them.
        if (text is not [0x01, ..] && IsPlain(text) && Decode(text) is { } bytes && Convert.ToBase64String(bytes) == Encoding.Latin1.GetString(text))
        {
            throw new FuzzInvariantException($"'{Encoding.Latin1.GetString(text)}' is base64, yet refused");
        }
    }

    private static byte[]? Decode(byte[] text)
    {
        var chars = Encoding.Latin1.GetString(text);
        var bytes = new byte[chars.Length];
        return Convert.TryFromBase64String(chars, bytes, out var written) ? bytes[..written] : null;
    }

    /// <summary>Only the base64 alphabet and padding: where "is it base64" has one answer.</summary>
    private static bool IsPlain(byte[] text) =>
        text.All(b => char.IsAsciiLetterOrDigit((char)b) || b is (byte)'+' or (byte)'/' or (byte)'=');
}
