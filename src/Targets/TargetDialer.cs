using System.Runtime.CompilerServices;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Websockify.Targets;

/// <summary>
/// Opens the connection to a target. For TCP, unlike upstream, which tries only the first address,
/// every resolved address is tried in order (IPv4 first, as upstream sorts), within one deadline.
/// With <c>--ssl-target</c> the TLS handshake follows on the connected socket, within the same deadline.
/// </summary>
internal sealed class TargetDialer(TimeSpan connectTimeout, TimeProvider time, TargetTlsContext? tls = null)
{
    /// <summary>Without a context from the command line: upstream's checks (system store, host name).</summary>
    private readonly TargetTlsContext _tls = tls ?? TargetTlsContext.Load(new TargetTlsSettings(null, Insecure: false));

    /// <param name="preface">Written first, on the bare socket, within the connect deadline: the PROXY protocol header, or empty.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<DialResult> DialAsync(TargetEndpoint target, CancellationToken cancellationToken, ReadOnlyMemory<byte> preface = default)
    {
        // One token source on the daemon's clock, cancelled also when the daemon stops: a linked source
        // (a second source and two registrations) would cost every session's handshake more garbage.
        using var deadline = new CancellationTokenSource(connectTimeout, time);
        using var stopping = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), deadline);
        try
        {
            var connected = target.UnixPath is { } path
                ? await ConnectAsync(new UnixDomainSocketEndPoint(path), preface, deadline.Token).ConfigureAwait(false)
                : IPAddress.TryParse(target.Host, out var literal)
                    ? await ConnectAsync(new IPEndPoint(literal, target.Port), preface, deadline.Token).ConfigureAwait(false)
                    : await ConnectByNameAsync(target.Host!, target.Port, preface, deadline.Token).ConfigureAwait(false);

            // The PROXY header (if any) went out on the bare socket first, as HAProxy's send-proxy does;
            // TLS follows. A Unix socket has no host name: the certificate is checked against "localhost".
            return target.Tls && connected.Connection is SocketTargetConnection plain
                ? await StartTlsAsync(plain.Socket, target.Host ?? "localhost", deadline.Token).ConfigureAwait(false)
                : connected;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DialResult.Failed($"connection timed out after {connectTimeout.TotalSeconds:0.###} s");
        }
        catch (OperationCanceledException)
        {
            return DialResult.Failed("the daemon is stopping");
        }
    }

    /// <exception cref="OperationCanceledException">The deadline passed or the daemon is stopping.</exception>
    private async Task<DialResult> StartTlsAsync(Socket socket, string host, CancellationToken cancellationToken)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        var check = new TargetCertificateCheck(_tls.Insecure);
        try
        {
            await stream.AuthenticateAsClientAsync(_tls.CreateOptions(host, check), cancellationToken).ConfigureAwait(false);
            return DialResult.Connected(new TlsTargetConnection(socket, stream));
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or SocketException)
        {
            stream.Dispose();
            socket.Dispose();
            return DialResult.Failed(check.Failure ?? "TLS handshake failed: " + Explain(ex));
        }
        catch
        {
            stream.Dispose();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>SslStream's own message often only says "see inner exception".</summary>
    private static string Explain(Exception ex) =>
        ex.InnerException is { } inner && inner.Message != ex.Message ? $"{ex.Message} ({inner.Message})" : ex.Message;

    private static async Task<DialResult> ConnectByNameAsync(string host, int port, ReadOnlyMemory<byte> preface, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = (await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false))
                .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
                .ToArray();
        }
        catch (SocketException ex)
        {
            return DialResult.Failed(ex.Message);
        }

        if (addresses.Length == 0)
        {
            return DialResult.Failed(new SocketException((int)SocketError.HostNotFound).Message);
        }

        DialResult last = default;
        foreach (var address in addresses)
        {
            last = await ConnectAsync(new IPEndPoint(address, port), preface, cancellationToken).ConfigureAwait(false);
            if (last.Connection is not null)
            {
                return last;
            }
        }

        return last;
    }

    /// <exception cref="OperationCanceledException">The deadline passed or the daemon is stopping.</exception>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<DialResult> ConnectAsync(EndPoint endpoint, ReadOnlyMemory<byte> preface, CancellationToken cancellationToken)
    {
        var unix = endpoint is UnixDomainSocketEndPoint;
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, unix ? ProtocolType.Unspecified : ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken).ConfigureAwait(false);
            if (!unix)
            {
                socket.NoDelay = true;
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            }

            while (!preface.IsEmpty)
            {
                preface = preface[await socket.SendAsync(preface, SocketFlags.None, cancellationToken).ConfigureAwait(false)..];
            }

            return DialResult.Connected(new SocketTargetConnection(socket));
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            return DialResult.Failed(ex.Message);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
