using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Websockify.Recording;

/// <summary>
/// Writes every session's recording, on one thread of its own. The relay only queues copies (bounded:
/// per session and in total) and returns; escaping, formatting and write(2) happen here, so a slow or
/// full disk never stalls a session. Commands of one session are written in the order they were queued.
/// </summary>
internal sealed class RecordWriter
{
    /// <summary>At most this many commands are taken at once, so budgets are given back as writing goes on.</summary>
    private const int BatchCommands = 256;

    /// <summary>Escaped output is gathered here and written in blocks of this size.</summary>
    private const int OutputBytes = 64 * 1024;

    /// <summary>Input escaped per step: its escaped form always fits the output buffer.</summary>
    private const int EscapeChunk = (OutputBytes - RecordFormat.MaxHeadLength - 8) / RecordEscaper.MaxExpansion;

    private readonly object _gate = new(); // Monitor.Wait needs a monitor, which Lock has not
    private readonly Queue<RecordCommand> _queue = new();
    private readonly Func<string, Stream> _open;
    private readonly ILogger _logger;
    private readonly long _sessionCapacity;
    private readonly long _totalCapacity;
    private readonly Thread _thread;
    private long _queuedBytes;
    private bool _writerWaiting;
    private bool _completing;

    // The writer thread's own state.
    private readonly HashSet<SessionRecording> _openFiles = [];
    private readonly List<RecordCommand> _batch = new(BatchCommands);
    private readonly byte[] _output = new byte[OutputBytes];
    private int _outputLength;
    private SessionRecording? _outputOwner;

    /// <param name="open">Opens a recording file (<see cref="RecordFile.Open"/>; tests give slow or failing ones).</param>
    public RecordWriter(Func<string, Stream> open, ILogger logger, long sessionCapacity = Limits.RecordSessionQueueBytes, long totalCapacity = Limits.RecordTotalQueueBytes)
    {
        _open = open;
        _logger = logger;
        _sessionCapacity = sessionCapacity;
        _totalCapacity = totalCapacity;
        _thread = new Thread(Run) { IsBackground = true, Name = "record writer" };
        _thread.Start();
    }

    public long SessionCapacity => _sessionCapacity;

    /// <summary>Queues opening the session's file; always accepted (it carries no data).</summary>
    public void EnqueueOpen(SessionRecording session) => EnqueueControl(new RecordCommand(session, RecordCommandKind.Open));

    /// <summary>Queues the end of the session's file; always accepted.</summary>
    public void EnqueueFinish(SessionRecording session, string? stopReason) =>
        EnqueueControl(new RecordCommand(session, RecordCommandKind.Finish, StopReason: stopReason));

    /// <summary>
    /// Queues one message, or returns false when it does not fit the session's or the total budget (the
    /// caller then still owns <paramref name="data"/>). Milliseconds never go down within a session: the
    /// two directions report from different threads, and the file's order is the order of this queue.
    /// </summary>
    public bool TryEnqueueMessage(SessionRecording session, Relay.PayloadDirection direction, long milliseconds, byte[] data, int length)
    {
        lock (_gate)
        {
            if (_completing)
            {
                ArrayPool<byte>.Shared.Return(data); // the exit closes every file now; nothing more goes in
                return true;
            }

            if (session.QueuedBytes + length > _sessionCapacity || _queuedBytes + length > _totalCapacity)
            {
                return false;
            }

            session.QueuedBytes += length;
            _queuedBytes += length;
            milliseconds = Math.Max(milliseconds, session.LastMilliseconds);
            session.LastMilliseconds = milliseconds;
            _queue.Enqueue(new RecordCommand(session, RecordCommandKind.Message, direction, milliseconds, data, length));
            WakeWriter();
            return true;
        }
    }

    /// <summary>Bytes of this session queued and not yet written (read without the lock: an estimate).</summary>
    public long Queued(SessionRecording session) => Volatile.Read(ref session.QueuedBytes);

    /// <summary>
    /// The exit: takes nothing more, writes what is queued, ends every file still open with its
    /// <c>'EOF'];</c> and closes it. False when the disk did not let that finish within <paramref name="timeout"/>.
    /// </summary>
    public bool Complete(TimeSpan timeout)
    {
        lock (_gate)
        {
            _completing = true;
            Monitor.Pulse(_gate);
        }

        return _thread.Join(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout);
    }

    /// <summary>Files still open when <see cref="Complete"/> gave up (writer thread state; read only after it).</summary>
    public int UnfinishedFiles => _openFiles.Count;

    private void EnqueueControl(RecordCommand command)
    {
        lock (_gate)
        {
            if (_completing)
            {
                return;
            }

            _queue.Enqueue(command);
            WakeWriter();
        }
    }

    private void WakeWriter()
    {
        if (_writerWaiting)
        {
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (Take())
        {
            foreach (var command in _batch)
            {
                Handle(command);
            }

            FlushOutput();
        }

        foreach (var session in _openFiles.ToList())
        {
            FinishFile(session, stopReason: null);
        }
    }

    /// <summary>Waits for work and takes one batch; false when completing and nothing is left.</summary>
    private bool Take()
    {
        _batch.Clear();
        lock (_gate)
        {
            while (_queue.Count == 0 && !_completing)
            {
                _writerWaiting = true;
                Monitor.Wait(_gate);
                _writerWaiting = false;
            }

            while (_queue.Count > 0 && _batch.Count < BatchCommands)
            {
                _batch.Add(_queue.Dequeue());
            }

            return _batch.Count > 0;
        }
    }

    private void Handle(RecordCommand command)
    {
        var session = command.Session;
        switch (command.Kind)
        {
            case RecordCommandKind.Open:
                try
                {
                    session.File = _open(session.Path);
                    _openFiles.Add(session);
                    Append(session, RecordFormat.Header);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    session.StopFromWriter();
                    RecordingLog.OpenFailed(_logger, session.Client, session.Path, ex.Message);
                }

                break;
            case RecordCommandKind.Message:
                if (session.File is not null)
                {
                    AppendMessage(command);
                }

                ArrayPool<byte>.Shared.Return(command.Data!);
                lock (_gate)
                {
                    session.QueuedBytes -= command.Length;
                    _queuedBytes -= command.Length;
                }

                break;
            case RecordCommandKind.Finish:
                FinishFile(session, command.StopReason);
                break;
        }
    }

    private void AppendMessage(RecordCommand command)
    {
        var session = command.Session;
        Span<byte> head = stackalloc byte[RecordFormat.MaxHeadLength];
        Append(session, head[..RecordFormat.WriteHead(command.Direction, command.Milliseconds, head)]);
        var data = command.Data.AsSpan(0, command.Length);
        while (!data.IsEmpty && session.File is not null)
        {
            var chunk = data[..Math.Min(EscapeChunk, data.Length)];
            Reserve(session, chunk.Length * RecordEscaper.MaxExpansion);
            _outputLength += RecordEscaper.Escape(chunk, _output.AsSpan(_outputLength));
            data = data[chunk.Length..];
        }

        Append(session, RecordFormat.Tail);
    }

    private void FinishFile(SessionRecording session, string? stopReason)
    {
        if (session.File is null)
        {
            return;
        }

        if (stopReason is not null)
        {
            Append(session, RecordFormat.StoppedComment(stopReason));
        }

        Append(session, RecordFormat.Footer);
        FlushOutput();
        CloseFile(session);
    }

    private void Append(SessionRecording session, ReadOnlySpan<byte> bytes)
    {
        Reserve(session, bytes.Length);
        bytes.CopyTo(_output.AsSpan(_outputLength));
        _outputLength += bytes.Length;
    }

    /// <summary>Makes room for <paramref name="length"/> bytes of <paramref name="session"/> in the output buffer.</summary>
    private void Reserve(SessionRecording session, int length)
    {
        if (_outputOwner != session || _outputLength + length > _output.Length)
        {
            FlushOutput();
            _outputOwner = session;
        }
    }

    private void FlushOutput()
    {
        var owner = _outputOwner;
        var length = _outputLength;
        _outputLength = 0;
        if (owner?.File is not { } file || length == 0)
        {
            return;
        }

        try
        {
            file.Write(_output, 0, length);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // A full disk, a quota: this recording ends here; the session and the other recordings go on.
            CloseFile(owner);
            if (owner.StopFromWriter())
            {
                RecordingLog.Stopped(_logger, owner.Client, owner.Path, $"writing failed: {ex.Message}");
            }
        }
    }

    private void CloseFile(SessionRecording session)
    {
        if (session.File is { } file)
        {
            session.File = null;
            _openFiles.Remove(session);
            try
            {
                file.Dispose();
            }
            catch (IOException)
            {
                // close(2) reporting a late write error: the recording is as complete as it will get.
            }
        }
    }
}
