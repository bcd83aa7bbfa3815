namespace Websockify.Targets;

/// <summary>
/// An open connection to a target, as the relay sees it: whatever carries it (TCP, a Unix socket,
/// TLS over either). Failures (a reset) throw <see cref="IOException"/> or a socket error; the end of the
/// target's data is a read of 0 bytes.
/// </summary>
internal interface ITargetConnection : IDisposable
{
    /// <summary>An empty <paramref name="buffer"/> waits until data is readable, holding no buffer.</summary>
    ValueTask<int> ReceiveAsync(Memory<byte> buffer);

    /// <summary>Sends all of <paramref name="data"/>; completes when the kernel took it (backpressure).</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> data);

    /// <summary>Half-close: the target reads end-of-stream; never throws.</summary>
    void ShutdownSend();
}
