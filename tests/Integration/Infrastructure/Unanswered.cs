using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Whether the daemon closes a connection without answering it: what its limits and its PROXY checks do to a refused one.</summary>
internal static class Unanswered
{
    /// <summary>
    /// Connects (from <paramref name="source"/>, if given), sends <paramref name="firstBytes"/> (default: a
    /// valid upgrade) and says whether the daemon closed or reset the connection, unanswered, within 5 s.
    /// </summary>
    public static async Task<bool> ClosedAsync(int port, IPAddress? source = null, byte[]? firstBytes = null)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        if (source is not null)
        {
            socket.Bind(new IPEndPoint(source, 0));
        }

        await socket.ConnectAsync(IPAddress.Loopback, port);
        await socket.SendAsync(firstBytes ?? Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(port)));
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            return await socket.ReceiveAsync(new byte[512], limit.Token) == 0;
        }
        catch (SocketException)
        {
            return true; // reset: closed with our bytes unread
        }
        catch (OperationCanceledException)
        {
            return false; // still open after 5 s
        }
    }
}
