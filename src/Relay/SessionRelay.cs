using System.Buffers;
using System.Net.Sockets;
using Websockify.WebSockets;

namespace Websockify.Relay;

/// <summary>
/// Moves bytes between one WebSocket client and one target socket, in both directions at once.
/// Each direction reads only after its previous write completed, so a slow reader on one side
/// throttles the other (backpressure) and a session never holds more than one buffer per direction.
/// Idle directions wait with a zero-byte read and hold no buffer at all.
/// </summary>
internal sealed class SessionRelay
{
    private const int BufferSize = 64 * 1024;

    /// <summary>Target reads leave room for the frame header in front, so frames go out with no copy.</summary>
    private const int Headroom = FrameWriter.MaxHeaderLength;

    /// <summary>How long the client has to answer our close frame.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the target has to finish after it got our FIN.</summary>
    private static readonly TimeSpan TargetDrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long sending a close frame may block on a client that does not read.</summary>
    private static readonly TimeSpan CloseSendTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientChannel _client;
    private readonly Socket _clientSocket;
    private readonly Socket _target;
    private long _bytesToTarget;
    private long _bytesToClient;

    public SessionRelay(ClientChannel client, Socket clientSocket, Socket target)
    {
        _client = client;
        _clientSocket = clientSocket;
        _target = target;
    }

    public long BytesToTarget => Interlocked.Read(ref _bytesToTarget);

    public long BytesToClient => Interlocked.Read(ref _bytesToClient);

    public async Task<RelayOutcome> RunAsync()
    {
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
                    await SendCloseAsync(_client.Reader.CloseCode, _client.Reader.CloseReason).ConfigureAwait(false);
                    break;
                case RelayEnd.TargetError:
                    await SendCloseAsync(CloseCodes.InternalError, "Target connection error").ConfigureAwait(false);
                    break;
            }

            ShutdownTargetSend();
            await WaitBoundedAsync(down, TargetDrainTimeout).ConfigureAwait(false);
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
            await WaitBoundedAsync(up, CloseHandshakeTimeout).ConfigureAwait(false);
            ShutdownTargetSend();
        }

        _target.Dispose();
        if (up.IsCompleted)
        {
            await LingeringClose.CloseAsync(_clientSocket).ConfigureAwait(false);
        }
        else
        {
            _clientSocket.Dispose(); // the client never answered our close: no point lingering
        }

        // With both sockets closed the pumps end promptly; only then may the receive buffer go back to the pool.
        await Task.WhenAll(up, down).ConfigureAwait(false);
        _client.Reader.Release();
        return outcome;
    }

    /// <summary>Daemon shutdown: tell the client (1001) and the target (FIN); the pumps then wind down as usual.</summary>
    public async Task RequestCloseAsync()
    {
        await SendCloseAsync(CloseCodes.GoingAway, "Server shutting down").ConfigureAwait(false);
        ShutdownTargetSend();
    }

    /// <summary>Last resort when a session ignored <see cref="RequestCloseAsync"/>: both pumps fail at once.</summary>
    public void Abort()
    {
        _target.Dispose();
        _clientSocket.Dispose();
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
                    if ((await _client.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false)).Closed)
                    {
                        return ClientClosed();
                    }
                }

                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var read = await _client.ReceiveAsync(buffer).ConfigureAwait(false);
                if (read.Closed)
                {
                    return ClientClosed();
                }

                if (read.Count > 0 && !await TrySendToTargetAsync(buffer.AsMemory(0, read.Count)).ConfigureAwait(false))
                {
                    return new RelayOutcome(RelayEnd.TargetError, "target refused data");
                }

                // Under load (a frame larger than the buffer, or a full buffer) the next read will not
                // wait, so the zero-byte wait would only cost a system call.
                busy = read.Count == buffer.Length || (read.Count > 0 && !read.EndOfMessage);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (ClientProtocolException ex)
        {
            await SendCloseAsync(ex.CloseCode, ex.Message).ConfigureAwait(false);
            return new RelayOutcome(RelayEnd.ClientProtocolError, $"{ex.CloseCode} {ex.Message}");
        }
        catch (Exception ex) when (ex is ClientDisconnectedException or IOException or SocketException or ObjectDisposedException)
        {
            return new RelayOutcome(RelayEnd.ClientDisconnected, ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        RelayOutcome ClientClosed()
        {
            var code = _client.Reader.CloseCode;
            return new RelayOutcome(RelayEnd.ClientClosed, code is null ? "no status" : $"{code} {_client.Reader.CloseReason}".TrimEnd());
        }
    }

    private async ValueTask<bool> TrySendToTargetAsync(ReadOnlyMemory<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var sent = await _target.SendAsync(data, SocketFlags.None).ConfigureAwait(false);
                data = data[sent..];
                Interlocked.Add(ref _bytesToTarget, sent);
            }

            return true;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return false;
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
                    await _target.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }

                buffer = ArrayPool<byte>.Shared.Rent(Headroom + BufferSize);
                var read = await _target.ReceiveAsync(buffer.AsMemory(Headroom), SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RelayOutcome(RelayEnd.TargetClosed, "");
                }

                busy = read == buffer.Length - Headroom;

                // Once our close frame is out the client takes no more data: drain the target until its FIN.
                if (!_client.Writer.CloseSent)
                {
                    try
                    {
                        await _client.SendAsync(buffer, Headroom, read).ConfigureAwait(false);
                        Interlocked.Add(ref _bytesToClient, read);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                    {
                        if (!_client.Writer.CloseSent)
                        {
                            return new RelayOutcome(RelayEnd.ClientDisconnected, ex.Message);
                        }
                    }
                }

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
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

    private Task SendCloseAsync(int? code, string? reason) => _client.Writer.TrySendCloseAsync(code, reason, CloseSendTimeout);

    private void ShutdownTargetSend()
    {
        try
        {
            _target.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }

    private static async Task WaitBoundedAsync(Task task, TimeSpan limit)
    {
        using var delay = new CancellationTokenSource();
        var timer = Task.Delay(limit, delay.Token);
        if (await Task.WhenAny(task, timer).ConfigureAwait(false) == task)
        {
            await delay.CancelAsync().ConfigureAwait(false);
        }
    }
}
