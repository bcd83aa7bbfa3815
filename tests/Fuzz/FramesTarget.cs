using System.Buffers.Binary;
using Websockify.WebSockets;

namespace Websockify.Fuzz;

/// <summary>
/// Client frames as they come off the socket: <see cref="FrameReader"/> (with its writer for the pongs)
/// reads until the client side ends. Input: a schedule byte, a receive-size byte, then the wire bytes.
/// Violations, closes and end of stream are values, so any exception is a finding. The oracle: when the
/// reader found no violation, the payload it handed out is exactly the data frames' unmasked payload.
/// </summary>
public sealed class FramesTarget : IFuzzTarget
{
    public string Name => "frames";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        var wire = input[2..].ToArray();
        var stream = new ScriptedStream(wire, input[0]);
        var reader = new FrameReader(stream, new FrameWriter(stream));
        var sizes = new ReceiveSizes(input[1], minimum: 1);
        var payload = new MemoryStream();
        var ending = ReadUntilEnded(wire.Length, sizes, (buffer) => Synchronously.Result(reader.ReceiveAsync(buffer)), payload);
        reader.Release();
        if (ending.Kind != MessageKind.ProtocolError)
        {
            var expected = UnmaskedDataPayload(wire);
            var got = payload.ToArray();
            var complete = ending.Kind == MessageKind.Close;
            if (complete ? !got.AsSpan().SequenceEqual(expected) : !expected.AsSpan().StartsWith(got))
            {
                throw new FuzzInvariantException($"payload differs from the frames' payload ({got.Length} bytes read, {expected.Length} sent)");
            }
        }
    }

    /// <summary>
    /// Receives until the client side ends, checking each result; every read must make progress, so more
    /// calls than the input could feed is a loop that would never end.
    /// </summary>
    internal static FrameRead ReadUntilEnded(int inputLength, ReceiveSizes sizes, Func<Memory<byte>, FrameRead> receive, MemoryStream payload)
    {
        var limit = 64 + (8 * inputLength);
        for (var calls = 0; calls < limit; calls++)
        {
            var buffer = new byte[sizes.Next()];
            var read = receive(buffer);
            if (read.Count < 0 || read.Count > buffer.Length)
            {
                throw new FuzzInvariantException($"a read of {read.Count} bytes into a buffer of {buffer.Length}");
            }

            if (read.Ended)
            {
                var again = receive(new byte[16]);
                if (again != read)
                {
                    throw new FuzzInvariantException($"ended with {read}, then said {again}");
                }

                return read;
            }

            payload.Write(buffer, 0, read.Count);
        }

        throw new FuzzInvariantException($"no end after {limit} reads of {inputLength} input bytes (would loop forever)");
    }

    /// <summary>A plain reading of the frames, no checks (the reader found no fault): data payloads up to the close frame.</summary>
    private static byte[] UnmaskedDataPayload(byte[] wire)
    {
        var output = new MemoryStream();
        var at = 0;
        while (wire.Length - at >= 2)
        {
            var opcode = wire[at] & 0x0F;
            long length = wire[at + 1] & 0x7F;
            var extended = length switch { 126 => 2, 127 => 8, _ => 0 };
            if (wire.Length - at < 2 + extended + 4)
            {
                break;
            }

            length = extended switch
            {
                2 => BinaryPrimitives.ReadUInt16BigEndian(wire.AsSpan(at + 2)),
                8 => (long)BinaryPrimitives.ReadUInt64BigEndian(wire.AsSpan(at + 2)),
                _ => length,
            };
            var key = wire.AsSpan(at + 2 + extended, 4).ToArray();
            at += 2 + extended + 4;
            if (opcode == 0x8)
            {
                break;
            }

            var available = (int)Math.Min(length, wire.Length - at);
            if (opcode <= 0x2)
            {
                for (var i = 0; i < available; i++)
                {
                    output.WriteByte((byte)(wire[at + i] ^ key[i % 4]));
                }
            }

            if (available < length)
            {
                break;
            }

            at += available;
        }

        return output.ToArray();
    }
}
