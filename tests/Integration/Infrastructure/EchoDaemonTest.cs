namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>Base for test classes whose every test talks to one daemon in front of an echo target.</summary>
public abstract class EchoDaemonTest : IAsyncLifetime
{
    private TcpTarget? _target;
    private DaemonProcess? _daemon;

    internal TcpTarget Target => _target ?? throw new InvalidOperationException("not started");

    internal DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        _target = TcpTarget.Echo();
        _daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", _target.Address]);
    }

    public async Task DisposeAsync()
    {
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }
    }
}
