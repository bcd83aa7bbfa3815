using System.Text;
using Websockify.Connections;
using Websockify.Net;

namespace Websockify.Legacy;

/// <summary>
/// <c>--flash-policy</c>: Flash's socket policy request on the WebSocket port, answered the way
/// websockify did before 0.9 (its exact bytes), and the connection closed. Anything else is put back
/// untouched in front of the transport for the HTTP reader.
/// </summary>
internal static class FlashPolicy
{
    /// <summary>Flash sends it NUL-terminated; upstream matched the text alone, and so do we (the lingering close eats the NUL).</summary>
    public static ReadOnlySpan<byte> Request => "<policy-file-request/>"u8;

    public static readonly byte[] Response =
        Encoding.ASCII.GetBytes("<cross-domain-policy><allow-access-from domain=\"*\" to-ports=\"*\" /></cross-domain-policy>\n");

    /// <returns>Whether the connection began with a policy request (the answer then went out).</returns>
    public static async ValueTask<bool> TryAnswerAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        var received = new byte[Request.Length];
        var count = 0;
        while (count < received.Length)
        {
            var read = await connection.Transport.ReadAsync(received.AsMemory(count), cancellationToken).ConfigureAwait(false);
            count += read;
            if (read == 0 || !Request.StartsWith(received.AsSpan(0, count)))
            {
                break; // the client closed, or this is not a policy request: stop reading at once
            }
        }

        if (count == Request.Length && received.AsSpan().SequenceEqual(Request))
        {
            await connection.Transport.WriteAsync(Response, cancellationToken).ConfigureAwait(false);
            await connection.Transport.FlushAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }

        connection.Transport = PrefixedStream.Unread(connection.Transport, received[..count]);
        return false;
    }
}
