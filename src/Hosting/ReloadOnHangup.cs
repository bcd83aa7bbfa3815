using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Websockify.Systemd;

namespace Websockify.Hosting;

/// <summary>
/// SIGHUP reloads what can be reloaded (Type=notify-reload: RELOADING=1 with the monotonic time, then
/// READY=1). Each reload runs under its own catch-all on the signal's thread-pool thread: whatever one
/// throws is logged, the others still reload, READY=1 still follows, and the daemon never crashes for it.
/// </summary>
internal sealed class ReloadOnHangup : IDisposable
{
    private readonly PosixSignalRegistration _registration;

    public ReloadOnHangup(ServiceNotifier notifier, IReadOnlyList<IReloadable> reloadables, ILogger logger)
    {
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            notifier.Send(NotifyMessages.Reloading(MonotonicMicroseconds()));
            ReloadAll(reloadables, logger);
            notifier.Send(NotifyMessages.Ready);
        });
    }

    private static void ReloadAll(IReadOnlyList<IReloadable> reloadables, ILogger logger)
    {
        foreach (var reloadable in reloadables)
        {
            try
            {
                reloadable.Reload(logger);
            }
            catch (Exception ex)
            {
                HostingLog.ReloadCrashed(logger, reloadable.ReloadName, ex.Message);
            }
        }
    }

    public void Dispose() => _registration.Dispose();

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));
}
