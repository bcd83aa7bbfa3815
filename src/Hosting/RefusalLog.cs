using Microsoft.Extensions.Logging;

namespace Websockify.Hosting;

/// <summary>
/// Refused connections, logged at a bounded rate: the first at once, then at most one line per
/// <see cref="Limits.RefusalLogInterval"/>, which counts the refusals since the last line. A flood of
/// connections past the limits costs a line a second, not a line each.
/// </summary>
internal sealed class RefusalLog(int maxTotal, int maxPerAddress, TimeProvider time, ILogger logger)
{
    private readonly Lock _lock = new();
    private readonly long _interval = (long)(Limits.RefusalLogInterval.TotalSeconds * time.TimestampFrequency);
    private long _lastLine = long.MinValue;
    private int _total;
    private int _perAddress;

    public void Refused(GateRefusal refusal, string peer)
    {
        int total, perAddress;
        lock (_lock)
        {
            if (refusal == GateRefusal.Total)
            {
                _total++;
            }
            else
            {
                _perAddress++;
            }

            var now = time.GetTimestamp();
            if (_lastLine != long.MinValue && now - _lastLine < _interval)
            {
                return;
            }

            _lastLine = now;
            (total, perAddress) = (_total, _perAddress);
            _total = _perAddress = 0;
        }

        HostingLog.ConnectionsRefused(logger, total + perAddress, peer, total, maxTotal, perAddress, maxPerAddress);
    }
}
