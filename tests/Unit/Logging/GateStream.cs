using System.Text;

namespace Websockify.Tests.Unit.Logging;

/// <summary>
/// A destination whose write(2) blocks until the test opens the gate (or lets single writes through),
/// as a pipe nobody reads does; optionally failing instead, as a full disk does. Keeps everything
/// written for assertions.
/// </summary>
internal sealed class GateStream : Stream
{
    private readonly SemaphoreSlim _permits = new(0);
    private readonly Lock _lock = new();
    private readonly MemoryStream _written = new();
    private readonly SemaphoreSlim _attempts = new(0);
    private volatile bool _open;
    private volatile bool _failing;

    public GateStream(bool open = true)
    {
        _open = open;
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public string Text
    {
        get
        {
            lock (_lock)
            {
                return Encoding.UTF8.GetString(_written.ToArray());
            }
        }
    }

    public string[] Lines => Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Open()
    {
        _open = true;
        _permits.Release(); // the one writer thread may be waiting
    }

    /// <summary>Lets <paramref name="writes"/> blocked or future writes through while the gate stays shut.</summary>
    public void Allow(int writes) => _permits.Release(writes);

    /// <summary>While set, every write throws IOException.</summary>
    public void Fail(bool failing) => _failing = failing;

    /// <summary>True once a write was attempted (blocked, failed or done) within the timeout.</summary>
    public bool WaitForAttempt(TimeSpan timeout) => _attempts.Wait(timeout);

    /// <summary>Polls (bounded) until the written text satisfies <paramref name="predicate"/>.</summary>
    public string WaitForText(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = Text;
            if (predicate(text))
            {
                return text;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"expected text not written; got:\n{text}");
            }

            Thread.Sleep(10);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var failing = _failing;
        _attempts.Release();
        if (failing)
        {
            throw new IOException("No space left on device");
        }

        if (!_open)
        {
            _permits.Wait();
        }

        lock (_lock)
        {
            _written.Write(buffer);
        }
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Open();
            _permits.Dispose();
            _attempts.Dispose();
            _written.Dispose();
        }

        base.Dispose(disposing);
    }
}
