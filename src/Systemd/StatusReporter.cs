namespace Websockify.Systemd;

/// <summary>STATUS= for `systemctl status`: the session count and the target, sent when the count changes (at most once a second).</summary>
internal static class StatusReporter
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <param name="quiet">While true (a drain, which reports its own STATUS=) nothing is sent.</param>
    public static async Task RunAsync(ServiceNotifier notifier, Func<int> sessions, Func<string> target, TimeProvider time, CancellationToken stop, Func<bool>? quiet = null)
    {
        using var timer = new PeriodicTimer(Period, time);
        var last = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = sessions();
                if (now != last && quiet?.Invoke() != true)
                {
                    notifier.Send(NotifyMessages.SessionStatus(now, target()));
                    last = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
