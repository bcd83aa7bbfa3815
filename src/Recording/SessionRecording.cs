using System.Buffers;
using Microsoft.Extensions.Logging;
using Websockify.Relay;

namespace Websockify.Recording;

/// <summary>
/// One session's recording, as the relay sees it: each call copies into a pooled buffer and queues it
/// for the <see cref="RecordWriter"/>. Client messages arrive in pieces (large frames stream through,
/// fragments frame by frame) and are put together here, so the file has one entry per message, as
/// upstream's has; its time is when the last piece was delivered. When the session's budget is used
/// up the recording stops, with one log line, and the session goes on.
/// </summary>
internal sealed class SessionRecording : ISessionObserver
{
    private readonly RecordWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _started;
    private int _stopped;

    // The client-to-target pump's own: the message being put together.
    private byte[]? _message;
    private int _messageLength;

    /// <summary>Writer state, changed under its lock: bytes queued and not yet written, and the last entry's time.</summary>
    internal long QueuedBytes;

    internal long LastMilliseconds;

    public SessionRecording(RecordWriter writer, string path, string client, long started, TimeProvider time, ILogger logger)
    {
        _writer = writer;
        Path = path;
        Client = client;
        _started = started;
        _time = time;
        _logger = logger;
    }

    public string Path { get; }

    public string Client { get; }

    /// <summary>The open file: only the writer thread touches it.</summary>
    internal Stream? File { get; set; }

    public bool Stopped => Volatile.Read(ref _stopped) != 0;

    public void OnPayload(PayloadDirection direction, ReadOnlySpan<byte> payload, bool endOfMessage, long timestamp)
    {
        if (Stopped)
        {
            if (direction == PayloadDirection.ToTarget)
            {
                ReleaseMessage(); // only this pump touches the message being put together
            }

            return;
        }

        byte[] data;
        int length;
        if (direction == PayloadDirection.ToTarget && (!endOfMessage || _messageLength > 0))
        {
            if (!TryAppendPiece(payload))
            {
                return;
            }

            if (!endOfMessage)
            {
                return;
            }

            (data, length) = (_message!, _messageLength);
            _message = null;
            _messageLength = 0;
        }
        else
        {
            data = ArrayPool<byte>.Shared.Rent(Math.Max(1, payload.Length));
            payload.CopyTo(data);
            length = payload.Length;
        }

        var milliseconds = (long)_time.GetElapsedTime(_started, timestamp).TotalMilliseconds;
        if (!_writer.TryEnqueueMessage(this, direction, milliseconds, data, length))
        {
            ArrayPool<byte>.Shared.Return(data);
            Stop(QueueFullReason());
        }
    }

    public void OnEnded(SessionSummary summary)
    {
        ReleaseMessage(); // a message the client never finished: upstream records only whole ones
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            _writer.EnqueueFinish(this, stopReason: null);
        }
    }

    /// <summary>The writer gave up on the file (it could not be opened or written); true the first time.</summary>
    internal bool StopFromWriter() => Interlocked.Exchange(ref _stopped, 1) == 0;

    private string QueueFullReason() =>
        $"more than {_writer.SessionCapacity / 1024} KiB waiting to be written (recording is slower than the session)";

    private void Stop(string reason)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        RecordingLog.Stopped(_logger, Client, Path, reason);
        _writer.EnqueueFinish(this, reason);
    }

    /// <summary>Adds a piece to the message being put together, within the session's budget.</summary>
    private bool TryAppendPiece(ReadOnlySpan<byte> piece)
    {
        var needed = _messageLength + piece.Length;
        if (needed + _writer.Queued(this) > _writer.SessionCapacity)
        {
            ReleaseMessage();
            Stop(QueueFullReason());
            return false;
        }

        if (_message is null || _message.Length < needed)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, (_message?.Length ?? 0) * 2)));
            if (_message is not null)
            {
                _message.AsSpan(0, _messageLength).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_message);
            }

            _message = grown;
        }

        piece.CopyTo(_message.AsSpan(_messageLength));
        _messageLength = needed;
        return true;
    }

    private void ReleaseMessage()
    {
        if (_message is not null)
        {
            ArrayPool<byte>.Shared.Return(_message);
            _message = null;
            _messageLength = 0;
        }
    }
}
