using System.Net;
using System.Net.Sockets;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

/// <summary>A server-side <see cref="ClientChannel"/> and the raw client end of the same loopback TCP connection.</summary>
internal sealed class ChannelPair : IAsyncDisposable
{
    private readonly Socket _server;

    private ChannelPair(Socket server, FramedClientChannel channel, NetworkStream raw)
    {
        _server = server;
        Channel = channel;
        Raw = raw;
    }

    public FramedClientChannel Channel { get; }

    public NetworkStream Raw { get; }

    public static async Task<ChannelPair> CreateAsync(PayloadEncoding encoding)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await listener.AcceptAsync();
        var channel = (FramedClientChannel)ClientChannel.Create(new NetworkStream(server, ownsSocket: false), encoding);
        return new ChannelPair(server, channel, new NetworkStream(client, ownsSocket: true));
    }

    public async Task SendRawAsync(byte[] bytes) => await Raw.WriteAsync(bytes);

    /// <summary>The server's FIN: the client end then reads end-of-stream after whatever was sent.</summary>
    public void ShutdownServerSend() => _server.Shutdown(SocketShutdown.Send);

    public async Task<WireFrame> ReadFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await RawFrame.ReadAsync(Raw, timeout.Token) ?? throw new EndOfStreamException("no frame");
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Reader.Release();
        _server.Dispose();
        await Raw.DisposeAsync();
    }
}
