using System.Buffers;
using System.Net.Sockets;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Relay;

/// <summary>
/// Moves bytes between one WebSocket client and one target connection, in both directions at once.
/// Each direction reads only after its previous write completed, so a slow reader on one side
/// throttles the other (backpressure) and a session never holds more than one buffer per direction.
/// Idle directions wait with a zero-byte read and hold no buffer at all.
/// </summary>
internal sealed class SessionRelay(
    ClientChannel client, Socket clientSocket, ITargetConnection target, Limits limits, TimeProvider time, ISessionObserver? observer = null)
    : IHeartbeatSession, ISendWatched
{
    /// <summary>
    /// As large as the client reader's buffer, so one upload read can take all of it (several frames) in
    /// one send; a power of two, the size the pool hands out. Downloads use it less the frame headroom.
    /// </summary>
    private const int BufferSize = 256 * 1024;

    /// <summary>Target reads leave room for the frame header in front, so frames go out with no copy.</summary>
    private const int Headroom = FrameWriter.MaxHeaderLength;

    private long _bytesToTarget;
    private long _bytesToClient;
    private long _unansweredTicks; // set by the heartbeat's thread: the silence it gave up after
    private long _stalledTicks; // set by the send watchdog's thread: how long the client write it gave up on waited
    private long _targetStalledTicks; // the same for a target write
    private WriteCounter _targetWrites;
    private SendWatch _clientWatch;
    private SendWatch _targetWatch;

    public long BytesToTarget => Interlocked.Read(ref _bytesToTarget);

    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    public long ClientReads => client.Reads;

    public long PendingClientWrite => client.PendingWrite;

    public long PendingTargetWrite => _targetWrites.Pending;

    public ref SendWatch ClientWatch => ref _clientWatch;

    public ref SendWatch TargetWatch => ref _targetWatch;

    public async Task<RelayOutcome> RunAsync()
    {
        if (observer is null)
        {
            client.IgnoreMessageBoundaries();
        }

        var up = PumpClientToTargetAsync();
        var down = PumpTargetToClientAsync();
        RelayOutcome outcome;
        if (await Task.WhenAny(up, down).ConfigureAwait(false) == up)
        {
            outcome = await up.ConfigureAwait(false);
            switch (outcome.End)
            {
                case RelayEnd.ClientClosed:
                    // Upstream echoes the client's code and reason.
                    await SendCloseAsync(client.CloseCode, client.CloseReason).ConfigureAwait(false);
                    break;
                case RelayEnd.TargetError:
                    await SendCloseAsync(CloseCodes.InternalError, "Target connection error").ConfigureAwait(false);
                    break;
            }

            target.ShutdownSend();
            await WaitBoundedAsync(down, limits.TargetDrainTimeout).ConfigureAwait(false);
        }
        else
        {
            outcome = await down.ConfigureAwait(false);
            switch (outcome.End)
            {
                case RelayEnd.TargetClosed:
                    await SendCloseAsync(CloseCodes.NormalClosure, "Target closed").ConfigureAwait(false);
                    break;
                case RelayEnd.TargetError:
                    await SendCloseAsync(CloseCodes.InternalError, "Target connection error").ConfigureAwait(false);
                    break;
            }

            // Data the client sends before its close reply still goes to the target.
            await WaitBoundedAsync(up, limits.CloseHandshakeTimeout).ConfigureAwait(false);
            target.ShutdownSend();
        }

        if (Volatile.Read(ref _unansweredTicks) is > 0 and var silence)
        {
            outcome = new RelayOutcome(RelayEnd.HeartbeatTimeout, $"nothing from the client for {TimeSpan.FromTicks(silence).TotalSeconds} s");
        }
        else if (Volatile.Read(ref _stalledTicks) is > 0 and var stalled)
        {
            outcome = new RelayOutcome(RelayEnd.SendTimeout, $"the client read nothing of a write for {TimeSpan.FromTicks(stalled).TotalSeconds} s");
        }
        else if (Volatile.Read(ref _targetStalledTicks) is > 0 and var targetStalled)
        {
            outcome = new RelayOutcome(RelayEnd.TargetSendTimeout, $"the target read nothing of a write for {TimeSpan.FromTicks(targetStalled).TotalSeconds} s");
        }

        target.Dispose();
        if (up.IsCompleted)
        {
            await LingeringClose.CloseAsync(clientSocket, limits.LingerTimeout, time).ConfigureAwait(false);
        }
        else
        {
            clientSocket.Dispose(); // the client never answered our close: no point lingering
        }

        // With both sockets closed the pumps end promptly; only then may the receive buffer go back to the pool.
        await Task.WhenAll(up, down).ConfigureAwait(false);
        client.Release();
        observer?.OnEnded(new SessionSummary(outcome, BytesToTarget, BytesToClient, time.GetTimestamp()));
        return outcome;
    }

    /// <summary>Daemon shutdown: tell the client (1001) and the target (FIN); the pumps then wind down as usual.</summary>
    public Task RequestCloseAsync() => CloseBothAsync("Server shutting down");

    public ValueTask<bool> TrySendPingAsync() => client.TrySendPingAsync();

    /// <summary>The heartbeat gave up on the client: the same close as at shutdown, logged as what it was.</summary>
    public void CloseUnanswered(TimeSpan silence)
    {
        Volatile.Write(ref _unansweredTicks, Math.Max(1, silence.Ticks));
        _ = CloseBothAsync("No answer to heartbeat");
    }

    private async Task CloseBothAsync(string reason)
    {
        await SendCloseAsync(CloseCodes.GoingAway, reason).ConfigureAwait(false);
        target.ShutdownSend();
    }

    /// <summary>
    /// The client stopped reading: a close frame could not reach it either (our writes are stuck), so
    /// both connections are dropped at once and the pumps end on the failed I/O.
    /// </summary>
    public void CloseStalledClient(TimeSpan waited)
    {
        Volatile.Write(ref _stalledTicks, Math.Max(1, waited.Ticks));
        Abort();
    }

    /// <summary>The target stopped reading: its connection is dropped, the client pump's write fails and the client gets 1011.</summary>
    public void CloseStalledTarget(TimeSpan waited)
    {
        Volatile.Write(ref _targetStalledTicks, Math.Max(1, waited.Ticks));
        target.Dispose();
    }

    /// <summary>Last resort when a session ignored <see cref="RequestCloseAsync"/>: both pumps fail at once.</summary>
    public void Abort()
    {
        target.Dispose();
        clientSocket.Dispose();
    }

    private async Task<RelayOutcome> PumpClientToTargetAsync()
    {
        byte[]? buffer = null;
        try
        {
            var busy = false;
            while (true)
            {
                if (!busy)
                {
                    // Wait with no buffer rented: idle sessions cost no buffer memory.
                    var waited = await client.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    if (waited.Ended)
                    {
                        return await ClientEndedAsync(waited).ConfigureAwait(false);
                    }
                }

                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var read = await client.ReceiveAsync(buffer).ConfigureAwait(false);
                if (read.Ended)
                {
                    return await ClientEndedAsync(read).ConfigureAwait(false);
                }

                if (read.Count > 0)
                {
                    if (!await TrySendToTargetAsync(buffer.AsMemory(0, read.Count)).ConfigureAwait(false))
                    {
                        return new RelayOutcome(RelayEnd.TargetError, "target refused data");
                    }

                    observer?.OnPayload(PayloadDirection.ToTarget, buffer.AsSpan(0, read.Count), read.EndOfMessage, time.GetTimestamp());
                }
                else if (read.EndOfMessage && observer is not null && read.Kind is MessageKind.Binary or MessageKind.Text)
                {
                    // An empty message, or the empty last frame of a fragmented one: nothing to send, but it ends a message.
                    observer.OnPayload(PayloadDirection.ToTarget, [], endOfMessage: true, time.GetTimestamp());
                }

                // Under load (a frame larger than the buffer, or a full buffer) the next read will not
                // wait, so the zero-byte wait would only cost a system call.
                busy = read.Count == buffer.Length || (read.Count > 0 && !read.EndOfMessage);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // Writing a pong failed: the client's connection is gone.
            return new RelayOutcome(RelayEnd.ClientDisconnected, ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    private async ValueTask<RelayOutcome> ClientEndedAsync(FrameRead read)
    {
        switch (read.Kind)
        {
            case MessageKind.Close:
                var code = client.CloseCode;
                return new RelayOutcome(RelayEnd.ClientClosed, code is null ? "no status" : $"{code} {client.CloseReason}".TrimEnd());
            case MessageKind.ProtocolError:
                await SendCloseAsync(read.ErrorCode, read.Error).ConfigureAwait(false);
                return new RelayOutcome(RelayEnd.ClientProtocolError, $"{read.ErrorCode} {read.Error}");
            default:
                return new RelayOutcome(RelayEnd.ClientDisconnected, read.Error ?? "connection closed");
        }
    }

    private async ValueTask<bool> TrySendToTargetAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            _targetWrites.Begin(); // only this pump writes to the target: no lock needed
            await target.SendAsync(data).ConfigureAwait(false);
            Interlocked.Add(ref _bytesToTarget, data.Length);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _targetWrites.End();
        }
    }

    private async Task<RelayOutcome> PumpTargetToClientAsync()
    {
        byte[]? buffer = null;
        try
        {
            var busy = false;
            while (true)
            {
                if (!busy)
                {
                    await target.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                }

                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var read = await target.ReceiveAsync(buffer.AsMemory(Headroom)).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RelayOutcome(RelayEnd.TargetClosed, "");
                }

                busy = read == buffer.Length - Headroom;

                // Once our close frame is out the client takes no more data: drain the target until its FIN.
                if (!client.CloseSent && await TrySendToClientAsync(buffer, read).ConfigureAwait(false) is { } gone)
                {
                    return gone;
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException)
        {
            return new RelayOutcome(RelayEnd.TargetError, ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Null when sent (or refused because our close frame went out meanwhile); an outcome when the client is gone.</summary>
    private async ValueTask<RelayOutcome?> TrySendToClientAsync(byte[] buffer, int count)
    {
        try
        {
            if (await client.TrySendAsync(buffer, Headroom, count).ConfigureAwait(false))
            {
                Interlocked.Add(ref _bytesToClient, count);
                observer?.OnPayload(PayloadDirection.ToClient, buffer.AsSpan(Headroom, count), endOfMessage: true, time.GetTimestamp());
            }

            return null;
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            return client.CloseSent ? null : new RelayOutcome(RelayEnd.ClientDisconnected, ex.Message);
        }
    }

    private Task SendCloseAsync(int? code, string? reason) => client.TrySendCloseAsync(code, reason, limits.CloseSendTimeout, time);

    private async Task WaitBoundedAsync(Task task, TimeSpan limit)
    {
        using var delay = new CancellationTokenSource();
        var timer = Task.Delay(limit, time, delay.Token);
        if (await Task.WhenAny(task, timer).ConfigureAwait(false) == task)
        {
            // Synchronously: its one callback stops a timer. CancelAsync would hand that to the thread
            // pool, a worker wake-up at the end of every session (seen in perf during connection cycles).
            delay.Cancel();
        }
    }
}
