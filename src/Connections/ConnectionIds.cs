namespace Websockify.Connections;

/// <summary>Hands out connection ids, 1, 2, 3, … in accept order; shared by every listener.</summary>
internal sealed class ConnectionIds
{
    private long _last;

    public long Next() => Interlocked.Increment(ref _last);
}
