using System.Runtime.InteropServices;

namespace Websockify.Hosting;

/// <summary>SIGTERM and SIGINT both mean "stop gracefully"; the runtime's default (exit at once) is cancelled.</summary>
internal sealed class ShutdownSignals : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;

    public ShutdownSignals(Action<string> onSignal)
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => Handle(ctx, "SIGTERM", onSignal)),
            PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => Handle(ctx, "SIGINT", onSignal)),
        ];
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }
    }

    private static void Handle(PosixSignalContext context, string name, Action<string> onSignal)
    {
        context.Cancel = true;
        onSignal(name);
    }
}
