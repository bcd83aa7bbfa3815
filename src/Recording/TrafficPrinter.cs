using Websockify.Connections;
using Websockify.Relay;

namespace Websockify.Recording;

/// <summary>
/// <c>--traffic</c>: upstream's legend on stdout when a session starts, then characters per event.
/// Our relay streams, so the events differ a little from upstream's select loop: target data
/// delivered to the client is <c>{&lt;</c> (read from the target, sent to the client); a client
/// message delivered to the target is <c>}&gt;</c>, and a piece of one that is not its end (a large or
/// fragmented message streams through in pieces) <c>}.&gt;</c>. Sends always complete before the
/// relay goes on, so the partial sends of the legend (<c>&gt;.</c>, <c>&lt;.</c>, and upstream's
/// <c>.&gt;</c>, which its legend calls <c>&gt;.</c>) never appear.
/// </summary>
internal sealed class TrafficPrinter(TrafficOutput output) : IDrainingObserverFactory
{
    /// <summary>Upstream's legend, byte for byte (it starts and ends with a newline).</summary>
    public static ReadOnlySpan<byte> Legend => """

        Traffic Legend:
            }  - Client receive
            }. - Client receive partial
            {  - Target receive

            >  - Target send
            >. - Target send partial
            <  - Client send
            <. - Client send partial

        """u8;

    public ISessionObserver? OnStarted(ConnectionContext connection, long timestamp)
    {
        output.Write(Legend);
        return new Observer(output);
    }

    public void Drain(TimeSpan timeout) => output.Complete(timeout);

    private sealed class Observer(TrafficOutput output) : ISessionObserver
    {
        public void OnPayload(PayloadDirection direction, ReadOnlySpan<byte> payload, bool endOfMessage, long timestamp) =>
            output.Write(direction == PayloadDirection.ToClient ? "{<"u8 : endOfMessage ? "}>"u8 : "}.>"u8);

        public void OnEnded(SessionSummary summary)
        {
        }
    }
}
