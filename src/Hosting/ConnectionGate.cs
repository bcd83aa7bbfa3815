using System.Net;

namespace Websockify.Hosting;

internal enum GateRefusal
{
    /// <summary><c>--max-connections</c> connections are open.</summary>
    Total,

    /// <summary><c>--max-connections-per-ip</c> connections from this client's address are open.</summary>
    PerAddress,
}

/// <summary>
/// <c>--max-connections</c> and <c>--max-connections-per-ip</c>: counts each connection from its accept
/// to its close (handshakes, plain HTTP and sessions alike). An address has an entry only while it has
/// connections, so the table is never larger than what is open. IPv4-mapped IPv6 addresses count as
/// their IPv4 address (a dual-stack socket must not double a client's allowance).
/// </summary>
internal sealed class ConnectionGate(int maxTotal, int maxPerAddress)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, int> _perAddress = [];
    private int _total;

    public int Open
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <returns>Null when admitted (then <see cref="Leave"/> must follow); otherwise which limit refused it.</returns>
    public GateRefusal? TryEnter(IPAddress? address)
    {
        address = Normalize(address);
        lock (_lock)
        {
            if (maxTotal > 0 && _total >= maxTotal)
            {
                return GateRefusal.Total;
            }

            if (address is not null && maxPerAddress > 0)
            {
                _perAddress.TryGetValue(address, out var count);
                if (count >= maxPerAddress)
                {
                    return GateRefusal.PerAddress;
                }

                _perAddress[address] = count + 1;
            }

            _total++;
            return null;
        }
    }

    /// <summary>
    /// The connection turned out to be from <paramref name="to"/> (a balancer's PROXY header or
    /// X-Forwarded-For): its count moves there. Null when moved; the refusal, with nothing changed, when
    /// <paramref name="to"/> has its allowance open already.
    /// </summary>
    public GateRefusal? TryMove(IPAddress? from, IPAddress? to)
    {
        from = Normalize(from);
        to = Normalize(to);
        if (maxPerAddress <= 0 || Equals(from, to))
        {
            return null;
        }

        lock (_lock)
        {
            if (to is not null)
            {
                _perAddress.TryGetValue(to, out var count);
                if (count >= maxPerAddress)
                {
                    return GateRefusal.PerAddress;
                }

                _perAddress[to] = count + 1;
            }

            Decrement(from);
            return null;
        }
    }

    public void Leave(IPAddress? address)
    {
        address = Normalize(address);
        lock (_lock)
        {
            _total--;
            Decrement(address);
        }
    }

    /// <summary>Under the lock.</summary>
    private void Decrement(IPAddress? address)
    {
        if (address is not null && maxPerAddress > 0 && _perAddress.TryGetValue(address, out var count))
        {
            if (count <= 1)
            {
                _perAddress.Remove(address);
            }
            else
            {
                _perAddress[address] = count - 1;
            }
        }
    }

    private static IPAddress? Normalize(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;
}
