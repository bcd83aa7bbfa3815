using System.Net;
using Websockify.Net;
using Websockify.Targets;

namespace Websockify.Fuzz;

/// <summary>
/// The first bytes a balancer sends through <see cref="ProxyHeaderParser"/>. Every answer is one of its
/// three statuses, never an exception. The oracle: a parsed header lies within the input and the limits,
/// any shorter prefix of it asks for more, the header alone parses the same; "more" is never asked for
/// past the limits; a TCP source and destination written again by our own writer read back the same.
/// </summary>
public sealed class ProxyHeaderTarget : IFuzzTarget
{
    public string Name => "proxy-header";

    public void Run(ReadOnlySpan<byte> input)
    {
        var parse = ProxyHeaderParser.Parse(input);
        switch (parse.Status)
        {
            case ProxyHeaderStatus.NeedMore when input.Length >= Limits.MaxProxyHeaderBytes:
                throw new FuzzInvariantException($"asks for more after {input.Length} bytes");
            case ProxyHeaderStatus.Invalid when string.IsNullOrEmpty(parse.Error):
                throw new FuzzInvariantException("refused without a reason");
            case ProxyHeaderStatus.Parsed:
                Check(input, parse);
                break;
        }
    }

    private static void Check(ReadOnlySpan<byte> input, ProxyHeaderParse parse)
    {
        if (parse.Length <= 0 || parse.Length > input.Length || parse.Length > Limits.MaxProxyHeaderBytes)
        {
            throw new FuzzInvariantException($"header of {parse.Length} bytes in {input.Length}");
        }

        if (Text(ProxyHeaderParser.Parse(input[..parse.Length])) != Text(parse))
        {
            throw new FuzzInvariantException("the header alone parses differently");
        }

        if (ProxyHeaderParser.Parse(input[..(parse.Length - 1)]).Status != ProxyHeaderStatus.NeedMore)
        {
            throw new FuzzInvariantException("a header cut short is not asked to go on");
        }

        if (parse.Source is IPEndPoint source && parse.Destination is IPEndPoint destination && source.AddressFamily == destination.AddressFamily)
        {
            var again = ProxyHeaderParser.Parse(ProxyHeader.Build(ProxyProtocolVersion.V2, source, destination));
            if (!Same(again.Source, source) || !Same(again.Destination, destination))
            {
                throw new FuzzInvariantException($"{source} -> {destination} written again reads back as {again.Source} -> {again.Destination}");
            }
        }
    }

    /// <summary>Compared as text: a Unix endpoint is not compared by its path.</summary>
    private static string Text(ProxyHeaderParse p) => $"{p.Status} {p.Length} {p.Source} {p.Destination} {p.Error}";

    /// <summary>Our writer sends an IPv4-mapped IPv6 pair as TCP4.</summary>
    private static bool Same(EndPoint? read, IPEndPoint written) =>
        read is IPEndPoint e && e.Port == written.Port
        && (written.Address.IsIPv4MappedToIPv6 ? written.Address.MapToIPv4() : written.Address).Equals(e.Address);
}
