namespace Websockify.WebSockets;

/// <summary>One read from the client: payload bytes, or the client's close frame.</summary>
internal readonly record struct ClientRead(int Count, bool EndOfMessage, bool Closed)
{
    public static ClientRead Close => new(0, true, true);
}
