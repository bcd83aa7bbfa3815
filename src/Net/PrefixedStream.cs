namespace Websockify.Net;

/// <summary>
/// Replays bytes that arrived together with the request head (a client may send its first frame
/// without waiting for the 101) before reading from the connection itself.
/// </summary>
internal sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
{
    private byte[] _prefix = prefix;
    private int _offset;

    /// <summary>
    /// <paramref name="stream"/> with <paramref name="bytes"/> to be read first. A stream that already
    /// replays bytes takes them in front of its own, so pipelined requests never nest streams.
    /// </summary>
    public static Stream Unread(Stream stream, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return stream;
        }

        if (stream is PrefixedStream prefixed)
        {
            prefixed._prefix = [.. bytes, .. prefixed._prefix.AsSpan(prefixed._offset)];
            prefixed._offset = 0;
            return prefixed;
        }

        return new PrefixedStream(bytes, stream);
    }

    /// <summary>The next byte to be read, when it is one of the replayed ones (the socket cannot be peeked for it then).</summary>
    public static bool TryPeekReplayed(Stream stream, out byte next)
    {
        if (stream is PrefixedStream { } prefixed && prefixed._offset < prefixed._prefix.Length)
        {
            next = prefixed._prefix[prefixed._offset];
            return true;
        }

        next = 0;
        return false;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_offset < _prefix.Length)
        {
            var count = Math.Min(buffer.Length, _prefix.Length - _offset);
            _prefix.AsSpan(_offset, count).CopyTo(buffer.Span);
            _offset += count;
            return ValueTask.FromResult(count);
        }

        return inner.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
