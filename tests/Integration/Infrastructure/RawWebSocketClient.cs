using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A deliberately minimal client that writes the handshake and frames by hand, so tests can send what
/// no real client would: broken frames, odd headers, plain HTTP.
/// </summary>
internal sealed class RawWebSocketClient : IAsyncDisposable
{
    private readonly Socket _socket;

    private RawWebSocketClient(Socket socket, Stream stream, string responseHead)
    {
        _socket = socket;
        Stream = stream;
        ResponseHead = responseHead;
    }

    public Stream Stream { get; }

    public string ResponseHead { get; }

    /// <summary>The client's own address, as the daemon sees it as the peer.</summary>
    public System.Net.EndPoint? LocalEndPoint => _socket.LocalEndPoint;

    public int StatusCode => ResponseHead.Length >= 12 ? int.Parse(ResponseHead.AsSpan(9, 3)) : 0;

    public static string UpgradeRequest(int port, string? protocols = null, string path = "/") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))}\r\nSec-WebSocket-Version: 13\r\n" +
        (protocols is null ? "" : $"Sec-WebSocket-Protocol: {protocols}\r\n") + "\r\n";

    /// <summary>Connects, sends <paramref name="request"/> (default: a valid upgrade) and reads the response head.</summary>
    public static Task<RawWebSocketClient> ConnectAsync(int port, string? request = null, bool tls = false, string? protocols = null, X509Certificate2? clientCertificate = null) =>
        ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), request ?? UpgradeRequest(port, protocols), tls, clientCertificate);

    /// <param name="clientCertificate">With <paramref name="tls"/>: offered whatever CAs the server names, so a test can present a wrong one.</param>
    /// <param name="local">Bound before connecting (a source address such as 127.0.0.2); null: the kernel's choice.</param>
    /// <param name="socket">An unconnected TCP socket to use; null: a new one.</param>
    /// <param name="preface">Sent first, as a balancer's PROXY header is: in the same write as a plain request (so it arrives in one segment), before a TLS handshake.</param>
    public static async Task<RawWebSocketClient> ConnectAsync(
        System.Net.EndPoint endpoint, string request, bool tls = false, X509Certificate2? clientCertificate = null, System.Net.EndPoint? local = null, Socket? socket = null,
        byte[]? preface = null)
    {
        // A given socket was made elsewhere, such as in a network namespace (NetworkNamespace.Run).
        socket ??= endpoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
            : new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (local is not null)
        {
            socket.Bind(local);
        }

        await socket.ConnectAsync(endpoint);
        Stream stream = new NetworkStream(socket, ownsSocket: false);
        if (preface is not null && tls)
        {
            await stream.WriteAsync(preface);
        }

        if (tls)
        {
            var ssl = new SslStream(stream, false, (_, _, _, _) => true, clientCertificate is null ? null : (_, _, _, _, _) => clientCertificate);
            await ssl.AuthenticateAsClientAsync("localhost", clientCertificate is null ? null : [clientCertificate], checkCertificateRevocation: false);
            stream = ssl;
        }

        await stream.WriteAsync(preface is not null && !tls ? [.. preface, .. Encoding.Latin1.GetBytes(request)] : Encoding.Latin1.GetBytes(request));
        var head = await ReadHeadAsync(stream);
        return new RawWebSocketClient(socket, stream, head);
    }

    public async Task SendAsync(byte[] bytes) => await Stream.WriteAsync(bytes);

    /// <summary>Checks the upgrade succeeded, then sends <paramref name="text"/> and expects it echoed.</summary>
    public async Task AssertEchoAsync(string text)
    {
        Assert.Equal(101, StatusCode);
        await SendAsync(RawFrame.Build(RawFrame.Binary, Encoding.ASCII.GetBytes(text)));
        var echo = await ReadFrameAsync();
        Assert.Equal(text, Encoding.ASCII.GetString(echo!.Payload));
    }

    public async Task<WireFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        return await RawFrame.ReadAsync(Stream, cts.Token);
    }

    /// <summary>Reads frames until the close frame, collecting data payloads on the way.</summary>
    public async Task<(WireFrame? Close, byte[] Data)> ReadUntilCloseAsync(TimeSpan? timeout = null)
    {
        var data = new MemoryStream();
        while (true)
        {
            var frame = await ReadFrameAsync(timeout);
            if (frame is null || frame.Opcode == RawFrame.Close)
            {
                return (frame, data.ToArray());
            }

            data.Write(frame.Payload);
        }
    }

    /// <summary>True when the server closed the TCP connection (EOF or reset) within the timeout.</summary>
    public async Task<bool> WaitForEndAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await Stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Stream.DisposeAsync();
        _socket.Dispose();
    }

    private static async Task<string> ReadHeadAsync(Stream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await stream.ReadAsync(one, cts.Token) == 0)
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
