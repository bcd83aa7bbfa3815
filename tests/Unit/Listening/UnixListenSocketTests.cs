using System.Net.Sockets;
using Websockify.Listening;

namespace Websockify.Tests.Unit.Listening;

public sealed class UnixListenSocketTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("websockify-unix-listen-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Its_file_is_removed_at_dispose()
    {
        var path = Path.Combine(_directory, "ws.sock");
        var listener = UnixListenSocket.Bind(new UnixListenSettings(path, UnixListenSettings.DefaultMode));
        Assert.True(File.Exists(path));
        listener.Dispose();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_socket_another_daemon_put_at_the_path_since_is_not_removed()
    {
        var path = Path.Combine(_directory, "ws.sock");
        var listener = UnixListenSocket.Bind(new UnixListenSettings(path, UnixListenSettings.DefaultMode));
        File.Delete(path);
        using var successor = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        successor.Bind(new UnixDomainSocketEndPoint(path));

        listener.Dispose();

        Assert.True(File.Exists(path));
    }

    [Fact]
    public void A_path_too_long_for_a_unix_socket_is_a_listen_error()
    {
        var path = Path.Combine(_directory, new string('s', 120));
        var error = Assert.Throws<ListenException>(() => UnixListenSocket.Bind(new UnixListenSettings(path, UnixListenSettings.DefaultMode)));
        Assert.Contains(path, error.Message);
    }
}
