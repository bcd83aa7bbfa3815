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
        FrameRead Receive(Memory<byte> buffer) => Synchronously.Result(reader.ReceiveAsync(buffer));
        var ending = ReceiveLoop.Run(wire.Length, sizes, Receive, (read, data) =>
        {
            if (!read.Ended)
            {
                payload.Write(data.Span);
            }
        });
        var again = Receive(new byte[16]);
        if (again != ending)
        {
            throw new FuzzInvariantException($"ended with {ending}, then said {again}");
        }

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
