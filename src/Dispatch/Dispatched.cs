using Websockify.Http;
using Websockify.WebSockets;

namespace Websockify.Dispatch;

internal enum RequestKind
{
    /// <summary>The client closed before a complete request head.</summary>
    Closed,

    /// <summary>Malformed, or an upgrade that RFC 6455 refuses: answer <see cref="Dispatched.Rejection"/> and close.</summary>
    Rejected,

    /// <summary>A plain HTTP request, for the web handler.</summary>
    Plain,

    /// <summary>A valid WebSocket upgrade.</summary>
    Upgrade,
}

/// <summary>What the connection's next request turned out to be (a value: one per request, no garbage).</summary>
internal readonly record struct Dispatched(RequestKind Kind, HttpRequest? Request = null, AcceptedHandshake? Handshake = null, HttpRejection? Rejection = null);
