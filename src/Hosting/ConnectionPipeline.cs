using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;
using Websockify.Http;
using Websockify.Listening;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Hosting;

/// <summary>
/// Everything one accepted connection goes through: sniff the first byte, TLS if it is a ClientHello,
/// one bounded HTTP request, then either a plain HTTP answer or the WebSocket handshake, the target
/// connection and the relay. Any failure ends this connection only.
/// </summary>
internal sealed class ConnectionPipeline(
    TlsServerContext tls,
    IHttpRequestHandler httpHandler,
    ITargetResolver targetResolver,
    SessionRegistry sessions,
    ILogger logger,
    CancellationToken shutdown)
{
    private sealed record Upgrade(HttpRequest Request, AcceptedHandshake Handshake, byte[] Leftover);

    public async Task RunAsync(Socket client)
    {
        var peer = ListenSocketFactory.FormatEndpoint(client.RemoteEndPoint);
        Stream stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            if (client.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                client.NoDelay = true;
                client.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true); // as upstream: find dead peers eventually
            }
            Upgrade? upgrade;
            TargetEndpoint? target;
            using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(shutdown))
            {
                handshake.CancelAfter(HttpLimits.HandshakeTimeout);
                try
                {
                    (stream, upgrade) = await NegotiateAsync(client, stream, peer, handshake.Token).ConfigureAwait(false);
                    if (upgrade is null)
                    {
                        await LingeringClose.CloseAsync(client).ConfigureAwait(false);
                        return;
                    }

                    target = await targetResolver.ResolveAsync(upgrade.Request, handshake.Token).ConfigureAwait(false);
                    if (target is null)
                    {
                        RelayLog.NoTarget(logger, peer);
                        return;
                    }

                    await HttpResponseWriter.WriteSwitchingProtocolsAsync(
                        stream, upgrade.Handshake.AcceptKey, upgrade.Handshake.Subprotocol.Name, handshake.Token).ConfigureAwait(false);
                    HttpLog.Request(logger, peer, upgrade.Request.Method, upgrade.Request.Target, upgrade.Request.Version, 101);
                }
                catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
                {
                    ListeningLog.HandshakeTimeout(logger, peer, HttpLimits.HandshakeTimeout.TotalSeconds);
                    return;
                }
            }

            await RunSessionAsync(client, stream, peer, upgrade, target).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            ListeningLog.HandshakeIoError(logger, peer, ex.Message);
        }
        catch (Exception ex)
        {
            HostingLog.ConnectionCrashed(logger, peer, ex);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<(Stream Stream, Upgrade? Upgrade)> NegotiateAsync(Socket client, Stream stream, string peer, CancellationToken cancellationToken)
    {
        var kind = await FirstByteSniffer.SniffAsync(client, cancellationToken).ConfigureAwait(false);
        switch (kind)
        {
            case ConnectionKind.Closed:
                ListeningLog.ClosedBeforeRequest(logger, peer);
                return (stream, null);
            case ConnectionKind.Tls:
                if (tls.Options is not { } options)
                {
                    ListeningLog.TlsWithoutCertificate(logger, peer, tls.CertPath);
                    return (stream, null);
                }

                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                try
                {
                    await ssl.AuthenticateAsServerAsync(options, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is AuthenticationException or IOException)
                {
                    ListeningLog.TlsHandshakeFailed(logger, peer, ex.Message);
                    return (stream, null);
                }

                ListeningLog.ConnectionKind(logger, peer, "SSL/TLS (wss://)");
                break;
            case ConnectionKind.Plain when tls.SslOnly:
                ListeningLog.PlainRefused(logger, peer);
                return (stream, null);
            default:
                ListeningLog.ConnectionKind(logger, peer, "Plain non-SSL (ws://)");
                break;
        }

        ReceivedRequest? received;
        try
        {
            received = await HttpRequestReader.ReadAsync(stream, cancellationToken).ConfigureAwait(false);
            if (received is null)
            {
                ListeningLog.ClosedBeforeRequest(logger, peer);
                return (stream, null);
            }

            var request = received.Request;
            if (!HandshakeValidator.IsUpgradeRequest(request))
            {
                var status = await httpHandler.HandleAsync(request, stream, cancellationToken).ConfigureAwait(false);
                HttpLog.Request(logger, peer, request.Method, request.Target, request.Version, status);
                return (stream, null);
            }

            return (stream, new Upgrade(request, HandshakeValidator.Validate(request), received.Leftover));
        }
        catch (HttpRequestRejectedException ex)
        {
            HttpLog.Refused(logger, peer, ex.StatusCode, ex.Message);
            KeyValuePair<string, string>[] extra = ex.StatusCode == 426 ? [new("Sec-WebSocket-Version", "13")] : [];
            await HttpResponseWriter.WriteErrorAsync(stream, ex.StatusCode, ex.Message, extra, cancellationToken).ConfigureAwait(false);
            return (stream, null);
        }
    }

    private async Task RunSessionAsync(Socket client, Stream stream, string peer, Upgrade upgrade, TargetEndpoint target)
    {
        var transport = upgrade.Leftover.Length > 0 ? new PrefixedStream(upgrade.Leftover, stream) : stream;
        var channel = ClientChannel.Create(transport, upgrade.Handshake.Subprotocol.Encoding);

        var targetSocket = await ConnectAsync(peer, target).ConfigureAwait(false);
        if (targetSocket is null)
        {
            await channel.Writer.TrySendCloseAsync(CloseCodes.InternalError, "Failed to connect to downstream server", TimeSpan.FromSeconds(2))
                .ConfigureAwait(false);

            await LingeringClose.CloseAsync(client).ConfigureAwait(false);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var relay = new SessionRelay(channel, client, targetSocket);
        sessions.Add(relay);
        try
        {
            var outcome = await relay.RunAsync().ConfigureAwait(false);
            RelayLog.SessionEnded(logger, peer, outcome, relay.BytesToTarget, relay.BytesToClient, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
        finally
        {
            sessions.Remove(relay);
            targetSocket.Dispose();
        }
    }

    /// <summary>Connects to the target; after a failure the resolver may offer one other target.</summary>
    private async Task<Socket?> ConnectAsync(string peer, TargetEndpoint target)
    {
        for (var attempt = 0; ; attempt++)
        {
            RelayLog.Connecting(logger, peer, target.ToString());
            try
            {
                return await TargetConnector.ConnectAsync(target, shutdown).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is SocketException or TimeoutException or OperationCanceledException)
            {
                RelayLog.ConnectFailed(logger, peer, target.ToString(), ex.Message);
                var retry = attempt == 0 && !shutdown.IsCancellationRequested
                    ? await targetResolver.RetryAfterConnectFailureAsync(target, shutdown).ConfigureAwait(false)
                    : null;
                if (retry is null)
                {
                    return null;
                }

                target = retry;
            }
        }
    }
}
