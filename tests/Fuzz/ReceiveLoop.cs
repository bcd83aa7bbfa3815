using Websockify.WebSockets;

namespace Websockify.Fuzz;

/// <summary>
/// Receives from a client side until it ends, as the relay does, checking each result: a count within
/// the buffer, and progress (more calls than the input could feed is a loop that would never end).
/// </summary>
internal static class ReceiveLoop
{
    /// <param name="onRead">Sees every read with the bytes it filled, the ending one included.</param>
    /// <returns>The read that ended the client side.</returns>
    public static FrameRead Run(int inputLength, ReceiveSizes sizes, Func<Memory<byte>, FrameRead> receive, Action<FrameRead, ReadOnlyMemory<byte>> onRead)
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

            onRead(read, buffer.AsMemory(0, read.Count));
            if (read.Ended)
            {
                return read;
            }
        }

        throw new FuzzInvariantException($"no end after {limit} reads of {inputLength} input bytes (would loop forever)");
    }
}
