using System.Net;
using System.Net.Sockets;

namespace Websockify.Net;

/// <summary>
/// <c>--trusted-proxy CIDR[,CIDR]</c>: the balancers whose word about the client (a PROXY header, an
/// <c>X-Forwarded-For</c>) is taken. A bare address is one host; <c>unix</c> trusts clients of
/// <c>--unix-listen</c> (a balancer on the same machine). IPv4-mapped IPv6 peers (a dual-stack listener)
/// match as their IPv4 address, so one entry covers both spellings.
/// </summary>
internal sealed class TrustedProxies
{
    /// <summary>At most this many entries: the list is walked for each connection and each forwarded hop.</summary>
    public const int MaxEntries = 64;

    private readonly IPNetwork[] _networks;
    private readonly bool _unix;

    private TrustedProxies(IPNetwork[] networks, bool unix)
    {
        _networks = networks;
        _unix = unix;
    }

    public static TrustedProxies None { get; } = new([], false);

    public bool IsEmpty => _networks.Length == 0 && !_unix;

    /// <summary>What the option said, normalised (for the start-up banner and the logs).</summary>
    public override string ToString() =>
        string.Join(',', _networks.Select(n => n.ToString()).Concat(_unix ? ["unix"] : []));

    /// <remarks>A CIDR with host bits set (10.0.0.1/8) is refused: it is a typo for a network or for one host, and which is not ours to guess.</remarks>
    /// <exception cref="FormatException">An entry that is not an address, a CIDR or <c>unix</c>; the message names it.</exception>
    public static TrustedProxies Parse(string text)
    {
        var networks = new List<IPNetwork>();
        var unix = false;
        foreach (var raw in text.Split(','))
        {
            var entry = raw.Trim();
            if (entry == "unix")
            {
                unix = true;
            }
            else if (IPAddress.TryParse(entry, out var address) && !entry.Contains('/', StringComparison.Ordinal))
            {
                address = Normalize(address);
                networks.Add(new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (IPNetwork.TryParse(entry, out var network) && IPAddress.TryParse(entry.AsSpan(0, entry.IndexOf('/', StringComparison.Ordinal)), out var written)
                     && written.Equals(network.BaseAddress))
            {
                networks.Add(network);
            }
            else
            {
                throw new FormatException(entry.Length == 0
                    ? "an empty entry (CIDR[,CIDR], e.g. 127.0.0.1/32,10.0.0.0/8)"
                    : $"'{entry}' is not an address, a CIDR with its host bits zero (10.0.0.0/8) or 'unix'");
            }
        }

        return networks.Count + (unix ? 1 : 0) <= MaxEntries
            ? new TrustedProxies([.. networks], unix)
            : throw new FormatException($"more than {MaxEntries} entries");
    }

    public bool Trusts(EndPoint? peer) => peer switch
    {
        IPEndPoint ip => Trusts(ip.Address),
        UnixDomainSocketEndPoint => _unix,
        _ => false,
    };

    public bool Trusts(IPAddress address)
    {
        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
