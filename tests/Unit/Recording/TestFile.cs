using System.Text;

namespace Websockify.Tests.Unit.Recording;

/// <summary>
/// A recording file in memory: writes block while the gate is shut (a slow disk) or throw while failing
/// (a full disk). What was written stays readable after the writer closed it.
/// </summary>
internal sealed class TestFile : Stream
{
    private readonly ManualResetEventSlim _gate;
    private readonly MemoryStream _written = new();
    private volatile bool _failing;

    public TestFile(bool open = true)
    {
        _gate = new ManualResetEventSlim(open);
    }

    public bool Closed { get; private set; }

    public int Writes { get; private set; }

    public string Text
    {
        get
        {
            lock (_written)
            {
                return Encoding.Latin1.GetString(_written.ToArray());
            }
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Open() => _gate.Set();

    public void Fail(bool failing) => _failing = failing;

    public override void Write(byte[] buffer, int offset, int count)
    {
        _gate.Wait(TimeSpan.FromSeconds(30));
        if (_failing)
        {
            throw new IOException("No space left on device");
        }

        lock (_written)
        {
            Writes++;
            _written.Write(buffer, offset, count);
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
        Closed = true;
        base.Dispose(disposing);
    }
}
