using System.Runtime.CompilerServices;
using Websockify.Connections;
using Websockify.Http;
using Websockify.Legacy;
using Websockify.Net;
using Websockify.WebSockets;

namespace Websockify.Dispatch;

/// <summary>
/// Reads the connection's next request head (bounded by <see cref="Limits"/>) and sorts it: upgrade,
/// plain HTTP, or rejected with its own status and headers. Bytes the client sent after the head (an
/// eager client's first frame, a pipelined request, Hixie-76's challenge) are put back in front of the transport.
/// </summary>
internal static class RequestDispatcher
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    /// <param name="allowHixie"><c>--allow-hixie</c>: an upgrade without Sec-WebSocket-Version is an old Hixie one, not a 426.</param>
    public static async ValueTask<Dispatched> NextAsync(ConnectionContext connection, bool allowHixie, CancellationToken cancellationToken)
    {
        ReceivedRequest? received;
        try
        {
            received = await HttpRequestReader.ReadAsync(connection.Transport, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestRejectedException ex)
        {
            return new Dispatched(RequestKind.Rejected, Rejection: ex.Rejection);
        }

        if (received is null)
        {
            return new Dispatched(RequestKind.Closed);
        }

        var request = received.Request;
        connection.Request = request;
        connection.Transport = PrefixedStream.Unread(connection.Transport, received.Leftover);
        if (!HandshakeValidator.IsUpgradeRequest(request))
        {
            return new Dispatched(RequestKind.Plain, request);
        }

        try
        {
            var handshake = allowHixie && HixieHandshake.IsHixieUpgrade(request)
                ? HixieHandshake.Validate(request, secure: connection.Tls is not null)
                : HandshakeValidator.Validate(request);
            return new Dispatched(RequestKind.Upgrade, request, handshake);
        }
        catch (HttpRequestRejectedException ex)
        {
            return new Dispatched(RequestKind.Rejected, request, Rejection: ex.Rejection);
        }
    }
}
