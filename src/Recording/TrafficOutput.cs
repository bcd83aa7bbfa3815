using Microsoft.Extensions.Logging;

namespace Websockify.Recording;

/// <summary>
/// <c>--traffic</c>'s stdout, behind a bounded buffer written by a thread of its own: the relay only
/// appends a few bytes and returns, so a terminal nobody reads cannot stall a session. What does not
/// fit is dropped, with one log line per stall. Every write is flushed, as upstream's are.
/// </summary>
internal sealed class TrafficOutput
{
    private readonly object _gate = new(); // Monitor.Wait needs a monitor, which Lock has not
    private readonly Stream _stream;
    private readonly ILogger _logger;
    private readonly Thread _thread;
    private byte[] _pending;
    private byte[] _writing;
    private int _pendingLength;
    private bool _writerWaiting;
    private bool _completing;
    private bool _droppedInStall;

    public TrafficOutput(Stream stream, ILogger logger, int capacity = Limits.TrafficQueueBytes)
    {
        _stream = stream;
        _logger = logger;
        _pending = new byte[capacity];
        _writing = new byte[capacity];
        _thread = new Thread(Run) { IsBackground = true, Name = "traffic writer" };
        _thread.Start();
    }

    /// <summary>Queues <paramref name="text"/> (ASCII), or drops all of it when it does not fit.</summary>
    public void Write(ReadOnlySpan<byte> text)
    {
        var logDrop = false;
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            if (_pendingLength + text.Length > _pending.Length)
            {
                logDrop = !_droppedInStall;
                _droppedInStall = true;
            }
            else
            {
                text.CopyTo(_pending.AsSpan(_pendingLength));
                _pendingLength += text.Length;
                if (_writerWaiting)
                {
                    Monitor.Pulse(_gate);
                }
            }
        }

        if (logDrop)
        {
            RecordingLog.TrafficDropped(_logger);
        }
    }

    /// <summary>The exit: writes what is queued, waiting at most <paramref name="timeout"/>.</summary>
    public void Complete(TimeSpan timeout)
    {
        lock (_gate)
        {
            _completing = true;
            Monitor.Pulse(_gate);
        }

        _thread.Join(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
    }

    private void Run()
    {
        while (true)
        {
            int length;
            lock (_gate)
            {
                while (_pendingLength == 0 && !_completing)
                {
                    _writerWaiting = true;
                    Monitor.Wait(_gate);
                    _writerWaiting = false;
                }

                if (_pendingLength == 0)
                {
                    return;
                }

                (_pending, _writing) = (_writing, _pending);
                length = _pendingLength;
                _pendingLength = 0;
            }

            try
            {
                _stream.Write(_writing, 0, length);
                _stream.Flush();
                lock (_gate)
                {
                    _droppedInStall = false;
                }
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or NotSupportedException or UnauthorizedAccessException)
            {
                // A closed stdout: the characters are lost, the daemon goes on.
            }
        }
    }
}
