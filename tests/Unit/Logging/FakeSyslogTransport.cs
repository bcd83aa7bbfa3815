using System.Collections.Concurrent;
using System.Text;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

/// <summary>
/// A syslog server the test scripts: each send takes the next scripted result (Sent once the script is
/// used up), optionally waiting for the test's permit first, as a stuck writer thread would.
/// </summary>
internal sealed class FakeSyslogTransport(bool gated = false) : ISyslogTransport
{
    private readonly ConcurrentQueue<SyslogSendResult> _script = new();
    private readonly SemaphoreSlim _permits = new(0);
    private readonly SemaphoreSlim _attempts = new(0);
    private readonly SemaphoreSlim _entered = new(0);
    private readonly ConcurrentQueue<string> _sent = new();

    public string Description => "fake:514";

    public int MaxDatagramBytes => SyslogFormatter.UdpMaxBytes;

    /// <summary>What reached the server, in order.</summary>
    public IReadOnlyList<string> Sent => [.. _sent];

    public bool Disposed { get; private set; }

    public void Script(params SyslogSendResult[] results)
    {
        foreach (var result in results)
        {
            _script.Enqueue(result);
        }
    }

    public void Permit(int count) => _permits.Release(count);

    /// <summary>Waits until <paramref name="count"/> more sends were attempted.</summary>
    public void WaitForAttempts(int count)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(_attempts.Wait(TimeSpan.FromSeconds(10)), "the writer did not send");
        }
    }

    /// <summary>Waits until a send has begun (and, gated, waits for a permit).</summary>
    public void WaitForEntered() => Assert.True(_entered.Wait(TimeSpan.FromSeconds(10)), "the writer did not send");

    public SyslogSendResult Send(ReadOnlySpan<byte> datagram, out string? failure)
    {
        _entered.Release();
        if (gated)
        {
            _permits.Wait(TimeSpan.FromSeconds(10));
        }

        var result = _script.TryDequeue(out var scripted) ? scripted : SyslogSendResult.Sent;
        failure = result == SyslogSendResult.Failed ? "Connection refused" : null;
        if (result == SyslogSendResult.Sent)
        {
            _sent.Enqueue(Encoding.UTF8.GetString(datagram));
        }

        _attempts.Release();
        return result;
    }

    public void Dispose() => Disposed = true;
}
