using Websockify.Connections;
using Websockify.Targets;

namespace Websockify.Wrapping;

/// <summary>
/// Targets the wrapped program's loopback port. A session arriving before the program listens (at
/// start-up, or between respawns) waits for it within the handshake deadline instead of failing.
/// </summary>
internal sealed class WrappedTargetResolver(PortReports reports, string description, WrapMode mode, TimeProvider time) : ITargetResolver
{
    /// <summary>How long a session waits for a respawned program to listen again.</summary>
    private static readonly TimeSpan RespawnWait = TimeSpan.FromSeconds(15);

    public async ValueTask<TargetResolution> ResolveAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        try
        {
            return TargetResolution.To(await reports.Current.WaitAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            return TargetResolution.Refused($"{description} is not listening (yet)");
        }
    }

    /// <summary>
    /// In respawn mode a refused connection usually means the program just exited: wait for the next
    /// run to listen (the supervisor resets the report when it starts it) and try that port.
    /// </summary>
    public async ValueTask<TargetEndpoint?> RetryAfterConnectFailureAsync(TargetEndpoint failed, CancellationToken cancellationToken)
    {
        if (mode != WrapMode.Respawn)
        {
            return null;
        }

        using var limit = new CancellationTokenSource(RespawnWait, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        try
        {
            // Wait for a run other than the one whose port failed (the same port number may come back).
            var failedRun = reports.Current;
            if (failedRun.IsCompletedSuccessfully && failedRun.Result == failed)
            {
                await reports.Replaced(failedRun).WaitAsync(linked.Token).ConfigureAwait(false);
            }

            return await reports.Current.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public string Describe() =>
        reports.Current.IsCompletedSuccessfully ? $"{description} (port {reports.Current.Result.Port})" : $"{description} (port not yet known)";
}
