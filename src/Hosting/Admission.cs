using System.Net;

namespace Websockify.Hosting;

/// <summary>
/// One connection's place in <see cref="ConnectionGate"/>, held from accept to close. Behind a balancer
/// the address it counts against changes once the real client is known, and it must leave from there.
/// </summary>
internal sealed class Admission(ConnectionGate gate, RefusalLog refusals, IPAddress? address)
{
    public IPAddress? Address { get; private set; } = address;

    /// <returns>False (and the refusal logged, rate-limited) when the real client is at its own limit already.</returns>
    public bool TryMoveTo(IPAddress? to, string peer)
    {
        if (gate.TryMove(Address, to) is { } refusal)
        {
            refusals.Refused(refusal, peer);
            return false;
        }

        Address = to;
        return true;
    }

    public void Leave() => gate.Leave(Address);
}
