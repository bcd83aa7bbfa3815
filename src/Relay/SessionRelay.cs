using System.Buffers;
using System.Net.Sockets;
using System.Net.WebSockets;
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

    /// <summary>How long the client has to answer our close frame.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long the target has to finish after it got our FIN.</summary>
    private static readonly TimeSpan TargetDrainTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long sending a close frame may block on a client that does not read.</summary>
    private static readonly TimeSpan CloseSendTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientChannel _client;
    private readonly Socket _clientSocket;
    private readonly Socket _target;
    private int _closeSent;
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

    private bool CloseSent => Volatile.Read(ref _closeSent) != 0;

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
                    await SendCloseAsync(_client.Socket.CloseStatus ?? WebSocketCloseStatus.Empty, _client.Socket.CloseStatusDescription)
                        .ConfigureAwait(false);
                    break;
                case RelayEnd.TargetError:
                    await SendCloseAsync(WebSocketCloseStatus.InternalServerError, "Target connection error").ConfigureAwait(false);
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
                    await SendCloseAsync(WebSocketCloseStatus.NormalClosure, "Target closed").ConfigureAwait(false);
                    break;
                case RelayEnd.TargetError:
                    await SendCloseAsync(WebSocketCloseStatus.InternalServerError, "Target connection error").ConfigureAwait(false);
                    break;
            }

            // Data the client sends before its close reply still goes to the target.
            await WaitBoundedAsync(up, CloseHandshakeTimeout).ConfigureAwait(false);
            ShutdownTargetSend();
        }

        _target.Dispose();
        await LingeringClose.CloseAsync(_clientSocket).ConfigureAwait(false);
        _client.Socket.Dispose();
        return outcome;
    }

    /// <summary>Daemon shutdown: tell the client (1001) and the target (FIN); the pumps then wind down as usual.</summary>
    public async Task RequestCloseAsync()
    {
        await SendCloseAsync(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down").ConfigureAwait(false);
        ShutdownTargetSend();
    }

    /// <summary>Last resort when a session ignored <see cref="RequestCloseAsync"/>: both pumps fail at once.</summary>
    public void Abort()
    {
        _client.Socket.Abort();
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
                    // Wait for a frame header with no buffer rented: idle sessions cost no buffer memory.
                    var header = await _client.ReceiveAsync(Memory<byte>.Empty).ConfigureAwait(false);
                    if (header.Closed)
                    {
                        return ClientClosed();
                    }

                    if (header.EndOfMessage)
                    {
                        continue; // an empty message: nothing to forward
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
                // wait, so skip the zero-byte wait: it would cost a system call per buffer.
                busy = !read.EndOfMessage || read.Count == buffer.Length;

                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (ClientProtocolException ex)
        {
            await SendCloseAsync(ex.Status, ex.Message).ConfigureAwait(false);
            return new RelayOutcome(RelayEnd.ClientProtocolError, $"{(int)ex.Status} {ex.Message}");
        }
        catch (WebSocketException ex) when (ex.WebSocketErrorCode == WebSocketError.ConnectionClosedPrematurely)
        {
            return new RelayOutcome(RelayEnd.ClientDisconnected, "no close frame");
        }
        catch (WebSocketException ex)
        {
            // The runtime already sent the close frame (1002 or 1007) before throwing.
            Interlocked.Exchange(ref _closeSent, 1);
            return new RelayOutcome(RelayEnd.ClientProtocolError, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
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
            var status = _client.Socket.CloseStatus;
            return new RelayOutcome(RelayEnd.ClientClosed, status is null ? "no status" : $"{(int)status} {_client.Socket.CloseStatusDescription}".TrimEnd());
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

                buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                var read = await _target.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    return new RelayOutcome(RelayEnd.TargetClosed, "");
                }

                busy = read == buffer.Length;

                if (!CloseSent)
                {
                    try
                    {
                        await _client.SendAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                        Interlocked.Add(ref _bytesToClient, read);
                    }
                    catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
                    {
                        if (!CloseSent)
                        {
                            return new RelayOutcome(RelayEnd.ClientDisconnected, ex.Message);
                        }
                    }
                }

                // Once our close frame is out, the client can take no more data: drain the target until its FIN.
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

    private async Task SendCloseAsync(WebSocketCloseStatus status, string? description)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(CloseSendTimeout);
            await _client.Socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The client is gone or stuck; the session ends anyway.
        }
    }

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
