using Websockify.Http;
using Websockify.Legacy;
using Websockify.Tokens;
using Websockify.WebSockets;

namespace Websockify.Fuzz;

/// <summary>
/// The request head as a client sends it: <see cref="HttpRequestReader"/> over a stream split at
/// fuzzer-chosen points, then what the daemon does with a parsed head (the RFC 6455 and Hixie handshake
/// checks, the token in the query or the Host). Input: one schedule byte, then the client's bytes.
/// The one expected refusal is <see cref="HttpRequestRejectedException"/>. The oracle: however the bytes
/// arrive, the reader sees the same head as <see cref="HttpRequestParser"/> given it whole.
/// </summary>
public sealed class HttpHeadTarget : IFuzzTarget
{
    public string Name => "http-head";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var data = input[1..].ToArray();
        var schedule = input[0];
        var streamed = Outcome(() => Synchronously.Result(HttpRequestReader.ReadAsync(new ScriptedStream(data, schedule), CancellationToken.None)));
        var whole = Expected(data);
        if (streamed.Describe() != whole.Describe())
        {
            throw new FuzzInvariantException($"streamed head {streamed.Describe()} differs from the whole head {whole.Describe()}");
        }

        if (streamed.Received is { } received)
        {
            var rest = data.AsSpan(data.AsSpan().IndexOf("\r\n\r\n"u8) + 4);
            if (!rest.StartsWith(received.Leftover))
            {
                throw new FuzzInvariantException("the bytes after the head are not what the client sent after it");
            }

            Handshake(received.Request);
        }
    }

    /// <summary>What the reader must make of <paramref name="data"/>: the head up to the first blank line within the size limit.</summary>
    private static HeadOutcome Expected(byte[] data)
    {
        var end = data.AsSpan().IndexOf("\r\n\r\n"u8);
        if (end >= 0 && end + 4 <= Limits.MaxHeaderBytes)
        {
            return Outcome(() => new ReceivedRequest(HttpRequestParser.Parse(data.AsSpan(0, end)), []));
        }

        return data.Length >= Limits.MaxHeaderBytes ? new HeadOutcome(null, 431) : new HeadOutcome(null, null);
    }

    private static HeadOutcome Outcome(Func<ReceivedRequest?> read)
    {
        try
        {
            return new HeadOutcome(read(), null);
        }
        catch (HttpRequestRejectedException ex)
        {
            return new HeadOutcome(null, ex.StatusCode);
        }
    }

    /// <summary>The checks that follow a parsed head; each refuses only with a rejection.</summary>
    private static void Handshake(HttpRequest request)
    {
        _ = TokenExtractor.From(request, hostToken: false);
        _ = TokenExtractor.From(request, hostToken: true);
        if (!HandshakeValidator.IsUpgradeRequest(request))
        {
            return;
        }

        try
        {
            _ = HixieHandshake.IsHixieUpgrade(request) ? HixieHandshake.Validate(request, secure: false) : HandshakeValidator.Validate(request);
        }
        catch (HttpRequestRejectedException)
        {
        }
    }

    /// <summary>A head read (or none, at end of stream) or the status it was refused with.</summary>
    private sealed record HeadOutcome(ReceivedRequest? Received, int? RejectedWith)
    {
        public string Describe() => Received is { Request: var r }
            ? $"{r.Method} {r.Target} {r.Version} [{string.Join("|", r.Headers.Select(h => h.Key + ":" + h.Value))}]"
            : RejectedWith is { } status ? $"rejected {status}" : "end of stream";
    }
}
