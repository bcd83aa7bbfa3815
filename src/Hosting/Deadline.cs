namespace Websockify.Hosting;

/// <summary>
/// A time limit on the daemon's clock (<see cref="TimeProvider"/>, so tests can use a fake one) that
/// also fires when the daemon stops. A linked token source could not take a TimeProvider.
/// </summary>
internal sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenRegistration _stopping;

    public Deadline(TimeSpan limit, TimeProvider time, CancellationToken stopping)
    {
        _timer = new CancellationTokenSource(limit, time);
        _stopping = stopping.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _timer);
    }

    public CancellationToken Token => _timer.Token;

    public void Dispose()
    {
        _stopping.Dispose();
        _timer.Dispose();
    }
}
