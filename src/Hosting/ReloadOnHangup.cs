using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Websockify.Systemd;
using Websockify.Tls;

namespace Websockify.Hosting;

/// <summary>SIGHUP reloads the certificate (Type=notify-reload: RELOADING=1 with the monotonic time, then READY=1).</summary>
internal sealed class ReloadOnHangup(ServiceNotifier notifier, TlsServerContext tls, ILogger logger) : IDisposable
{
    private readonly PosixSignalRegistration _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
    {
        context.Cancel = true;
        notifier.Send(NotifyMessages.Reloading(MonotonicMicroseconds()));
        tls.Reload(logger);
        notifier.Send(NotifyMessages.Ready);
    });

    public void Dispose() => _registration.Dispose();

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));
}
