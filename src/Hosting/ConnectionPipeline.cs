using System.Runtime.CompilerServices;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Websockify.Connections;
using Websockify.Dispatch;
using Websockify.Http;
using Websockify.Legacy;
using Websockify.Listening;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Hosting;

/// <summary>
/// Everything one accepted connection goes through, top to bottom: with <c>--proxy-protocol</c>, the
/// balancer's PROXY header; TLS negotiation; with
/// <c>--flash-policy</c>, Flash's policy request; request dispatch
/// (plain HTTP requests go to the web handler, as many as it keeps the connection for); authentication;
/// target resolution; the 101; the session. Until the 101 every step runs under the handshake deadline.
/// Any failure ends this connection only.
/// </summary>
internal sealed class ConnectionPipeline(PipelineStages stages, ConnectionIds ids, Limits limits, TimeProvider time, ILogger logger, CancellationToken shutdown)
{
    /// <returns>Whether the connection became a WebSocket session (the 101 went out): what <c>--run-once</c> counts.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    /// <param name="admission">Its place under the connection limits, moved to the real client's address once a balancer names it.</param>
    public async ValueTask<bool> RunAsync(Socket socket, Admission? admission = null)
    {
        var upgraded = false;
        await using var connection = new ConnectionContext(ids.Next(), socket, time.GetTimestamp(), admission);
        try
        {
            TuneSocket(socket);
            if (await HandshakeAsync(connection).ConfigureAwait(false) is { } upgrade)
            {
                upgraded = true;
                await stages.Session.RunAsync(connection, upgrade, shutdown).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            ListeningLog.HandshakeIoError(logger, connection.LogName, ex.Message);
        }
        catch (Exception ex)
        {
            HostingLog.ConnectionCrashed(logger, connection.LogName, ex);
        }

        return upgraded;
    }

    /// <returns>The accepted upgrade, with the target chosen and the 101 sent; null when the connection ends here.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AcceptedHandshake?> HandshakeAsync(ConnectionContext connection)
    {
        var deadline = NewDeadline();
        try
        {
            if (!await stages.Clients.AcceptAsync(connection, deadline.Token).ConfigureAwait(false)
                || !await stages.Tls.NegotiateAsync(connection, deadline.Token).ConfigureAwait(false))
            {
                return await EndAsync(connection).ConfigureAwait(false);
            }

            if (stages.Legacy.FlashPolicy && await FlashPolicy.TryAnswerAsync(connection, deadline.Token).ConfigureAwait(false))
            {
                LegacyLog.FlashPolicyAnswered(logger, connection.LogName);
                return await EndAsync(connection).ConfigureAwait(false);
            }

            while (true)
            {
                var next = await RequestDispatcher.NextAsync(connection, stages.Legacy.AllowHixie, deadline.Token).ConfigureAwait(false);
                switch (next.Kind)
                {
                    case RequestKind.Closed:
                        ListeningLog.ClosedBeforeRequest(logger, connection.LogName);
                        return await EndAsync(connection).ConfigureAwait(false);
                    case RequestKind.Rejected:
                        return await RejectAsync(connection, next.Rejection!, deadline.Token, "http").ConfigureAwait(false);
                    case RequestKind.Plain:
                        if (!await ServePlainAsync(connection, next.Request!, deadline.Token).ConfigureAwait(false))
                        {
                            return await EndAsync(connection).ConfigureAwait(false);
                        }

                        deadline.Dispose();
                        deadline = NewDeadline(); // each kept-alive request gets the whole limit
                        continue;
                }

                return await AcceptUpgradeAsync(connection, next.Request!, next.Handshake!, deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            ListeningLog.HandshakeTimeout(logger, connection.LogName, limits.HandshakeTimeout.TotalSeconds);
            return null;
        }
        finally
        {
            deadline.Dispose();
        }
    }

    /// <returns>Whether the handler keeps the connection open for another request.</returns>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ServePlainAsync(ConnectionContext connection, HttpRequest request, CancellationToken cancellationToken)
    {
        if (stages.Clients.ApplyForwardedFor(connection, request) is { } tooMany)
        {
            await RejectAsync(connection, tooMany, cancellationToken, "limit").ConfigureAwait(false);
            return false;
        }

        if (await stages.WebAuth.AuthenticateAsync(connection, request, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            await RejectAsync(connection, refused, cancellationToken, "auth").ConfigureAwait(false);
            return false;
        }

        var answer = await stages.Web.HandleAsync(connection, request, cancellationToken).ConfigureAwait(false);
        HttpLog.Request(logger, connection.LogName, request.Method, request.Target, request.Version, answer.Status);
        return answer.KeepAlive;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AcceptedHandshake?> AcceptUpgradeAsync(
        ConnectionContext connection, HttpRequest request, AcceptedHandshake handshake, CancellationToken cancellationToken)
    {
        if (stages.Clients.ApplyForwardedFor(connection, request) is { } tooMany)
        {
            return await RejectAsync(connection, tooMany, cancellationToken, "limit").ConfigureAwait(false);
        }

        if (await stages.UpgradeAuth.AuthenticateAsync(connection, request, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return await RejectAsync(connection, refused, cancellationToken, "auth").ConfigureAwait(false);
        }

        var resolution = await stages.Targets.ResolveAsync(connection, cancellationToken).ConfigureAwait(false);
        if (resolution.Target is null)
        {
            TargetLog.NoTarget(logger, connection.LogName, resolution.RefusedBecause ?? "refused");
            if (resolution.Rejection is { } rejection)
            {
                return await RejectAsync(connection, rejection, cancellationToken, "token").ConfigureAwait(false);
            }

            stages.Metrics?.Refused("token", 0);
            return null;
        }

        connection.Target = resolution.Target;
        if (handshake.Hixie is { } hixie)
        {
            LegacyLog.HixieHandshake(logger, connection.LogName, hixie.Draft == HixieDraft.Hixie76 ? "Hixie-76" : "Hixie-75");
            await hixie.WriteResponseAsync(connection.Transport, handshake.Subprotocol, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await HttpResponseWriter.WriteSwitchingProtocolsAsync(connection.Transport, handshake.AcceptKey, handshake.Subprotocol.Name, cancellationToken)
                .ConfigureAwait(false);
        }

        connection.UpgradedAt = time.GetTimestamp();
        HttpLog.Request(logger, connection.LogName, request.Method, request.Target, request.Version, 101);
        return handshake;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    /// <param name="reason">For the metrics: http (the request itself), auth, token or limit.</param>
    private async ValueTask<AcceptedHandshake?> RejectAsync(ConnectionContext connection, HttpRejection rejection, CancellationToken cancellationToken, string reason)
    {
        stages.Metrics?.Refused(reason, rejection.Status);
        HttpLog.Refused(logger, connection.LogName, rejection.Status, rejection.Reason);
        await HttpResponseWriter.WriteRejectionAsync(connection.Transport, rejection, cancellationToken).ConfigureAwait(false);
        return await EndAsync(connection).ConfigureAwait(false);
    }

    /// <summary>No session: close so that what we sent last still reaches the client.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<AcceptedHandshake?> EndAsync(ConnectionContext connection)
    {
        await LingeringClose.CloseAsync(connection.Socket, limits.LingerTimeout, time).ConfigureAwait(false);
        return null;
    }

    private Deadline NewDeadline() => new(limits.HandshakeTimeout, time, shutdown);

    private static void TuneSocket(Socket socket)
    {
        if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
        {
            socket.NoDelay = true;
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true); // as upstream: find dead peers eventually
        }
    }
}
