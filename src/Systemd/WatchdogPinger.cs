namespace Websockify.Systemd;

/// <summary>
/// Sends WATCHDOG=1 at half the watchdog interval from an async timer on the thread pool that also runs
/// every session's work: when that pool is wedged the pings stop and systemd restarts the service.
/// </summary>
internal static class WatchdogPinger
{
    public static async Task RunAsync(ServiceNotifier notifier, TimeSpan interval, TimeProvider time, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(interval / 2, time);
        notifier.Send(NotifyMessages.Watchdog);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                notifier.Send(NotifyMessages.Watchdog);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
