namespace Websockify.Tests.Unit.Http;

/// <summary>
/// A read-only stream that hands out its bytes in reads of scripted sizes (the last size repeats), so a
/// test decides exactly where the network splits a request instead of hoping a pipe does.
/// </summary>
internal sealed class ScriptedReadStream(byte[] data, params int[] readSizes) : Stream
{
    private int _position;

    /// <summary>ReadAsync/Read calls so far, including a final one that returned 0 (end of stream).</summary>
    public int Reads { get; private set; }

    /// <summary>The bytes no read has returned yet.</summary>
    public byte[] Unread => data[_position..];

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        var size = readSizes[Math.Min(Reads, readSizes.Length - 1)];
        Reads++;
        var count = Math.Min(Math.Min(buffer.Length, size), data.Length - _position);
        data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
