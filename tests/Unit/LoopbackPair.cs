using System.Net;
using System.Net.Sockets;

namespace Websockify.Tests.Unit;

/// <summary>Both ends of one loopback TCP connection, for tests that need a real socket on each side.</summary>
internal sealed class LoopbackPair : IDisposable
{
    private LoopbackPair(Socket near, Socket far)
    {
        Near = near;
        Far = far;
    }

    /// <summary>The end handed to the code under test.</summary>
    public Socket Near { get; }

    /// <summary>The end the test plays the peer with.</summary>
    public Socket Far { get; }

    public static async Task<LoopbackPair> CreateAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var far = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await far.ConnectAsync(listener.LocalEndPoint!);
        return new LoopbackPair(await listener.AcceptAsync(), far);
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes from the far end (bounded by 10 s).</summary>
    public async Task<byte[]> ReadFarAsync(int count)
    {
        var buffer = new byte[count];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var filled = 0;
        while (filled < count)
        {
            var read = await Far.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"got {filled} of {count} bytes");
            }

            filled += read;
        }

        return buffer;
    }

    /// <summary>Whether the far end reads end-of-stream next (bounded by 10 s).</summary>
    public async Task<bool> FarSeesEndAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Far.ReceiveAsync(new byte[1], SocketFlags.None, timeout.Token) == 0;
    }

    public void Dispose()
    {
        Near.Dispose();
        Far.Dispose();
    }
}
