using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Websockify.Targets;

namespace Websockify.Tests.Unit.Targets;

/// <summary>
/// <c>--ssl-target</c>'s dial and connection against an in-process TLS 1.3 server: verification with a CA file,
/// the zero-byte wait, close_notify on half-close, and the handshake inside the connect deadline.
/// </summary>
public sealed class TlsTargetTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("websockify-tls-target-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task A_trusted_target_carries_bytes_and_idle_waits_return_only_for_application_data()
    {
        using var certificate = SelfSigned("localhost");
        using var listener = Listen();
        var serving = ServeTlsAsync(listener, certificate);
        var dialer = new TargetDialer(TimeSpan.FromSeconds(10), TimeProvider.System, TargetTlsContext.Load(new TargetTlsSettings(WritePem(certificate), false)));

        var result = await dialer.DialAsync(TargetEndpoint.Tcp("localhost", Port(listener), tls: true), CancellationToken.None);
        using var connection = Assert.IsType<TlsTargetConnection>(result.Connection, exactMatch: false);
        await using var far = await serving;

        // Whatever the server sent after its handshake (TLS 1.3 tickets), it is no application data: the wait goes on.
        var waiting = connection.ReceiveAsync(Memory<byte>.Empty).AsTask();
        await Task.WhenAny(waiting, Task.Delay(300));
        Assert.False(waiting.IsCompleted);

        await far.WriteAsync("pong!"u8.ToArray());
        Assert.Equal(0, await waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        var buffer = new byte[16];
        Assert.Equal(5, await connection.ReceiveAsync(buffer));
        Assert.Equal("pong!"u8.ToArray(), buffer[..5]);

        await connection.SendAsync("ping"u8.ToArray());
        Assert.Equal(4, await far.ReadAsync(buffer));

        // Half-close is close_notify: the server reads a clean end of stream, and may still answer.
        connection.ShutdownSend();
        Assert.Equal(0, await far.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await Assert.ThrowsAsync<IOException>(async () => await connection.SendAsync("late"u8.ToArray()));
        await far.WriteAsync("bye"u8.ToArray());
        Assert.Equal(3, await connection.ReceiveAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_certificate_from_another_ca_is_a_failure_with_the_reason()
    {
        using var served = SelfSigned("localhost");
        using var other = SelfSigned("localhost");
        using var listener = Listen();
        var serving = ServeTlsAsync(listener, served);
        var dialer = new TargetDialer(TimeSpan.FromSeconds(10), TimeProvider.System, TargetTlsContext.Load(new TargetTlsSettings(WritePem(other), false)));

        var result = await dialer.DialAsync(TargetEndpoint.Tcp("localhost", Port(listener), tls: true), CancellationToken.None);
        Assert.Null(result.Connection);
        Assert.StartsWith("certificate verification failed: the certificate chain is not trusted", result.Failure, StringComparison.Ordinal);
        try
        {
            await (await serving).DisposeAsync(); // in TLS 1.3 the server's side is done before the client decides
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException)
        {
        }
    }

    [Fact]
    public async Task The_handshake_is_bounded_by_the_connect_deadline()
    {
        // Accepts the TCP connection and never answers the ClientHello.
        using var listener = Listen();
        var time = new FakeTimeProvider();
        var dialer = new TargetDialer(TimeSpan.FromSeconds(10), time, TargetTlsContext.Load(new TargetTlsSettings(null, true)));
        var pending = dialer.DialAsync(TargetEndpoint.Tcp("127.0.0.1", Port(listener), tls: true), CancellationToken.None).AsTask();
        using var silent = await listener.AcceptAsync();
        await Task.WhenAny(pending, Task.Delay(300));
        Assert.False(pending.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(10));
        var result = await pending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(result.Connection);
        Assert.Equal("connection timed out after 10 s", result.Failure);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("garbage")]
    [InlineData("key only")]
    public void An_unusable_ca_file_is_a_configuration_error(string kind)
    {
        var path = Path.Combine(_directory, "ca.pem");
        switch (kind)
        {
            case "garbage":
                File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
                break;
            case "key only":
                using (var key = ECDsa.Create())
                {
                    File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
                }

                break;
        }

        var error = Assert.Throws<TargetTlsConfigurationException>(() => TargetTlsContext.Load(new TargetTlsSettings(path, false)));
        Assert.StartsWith($"--ssl-target-cafile {path}: ", error.Message, StringComparison.Ordinal);
    }

    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    private string WritePem(X509Certificate2 certificate)
    {
        var path = Path.Combine(_directory, Guid.NewGuid().ToString("N") + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }

    private static Socket Listen()
    {
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(4);
        return listener;
    }

    private static int Port(Socket listener) => ((IPEndPoint)listener.LocalEndPoint!).Port;

    private static async Task<SslStream> ServeTlsAsync(Socket listener, X509Certificate2 certificate)
    {
        var socket = await listener.AcceptAsync();
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await stream.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificate = certificate,
            EnabledSslProtocols = SslProtocols.Tls13,
        });
        return stream;
    }
}
