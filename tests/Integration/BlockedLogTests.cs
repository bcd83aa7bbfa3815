using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// `websockify -v … | less`, a paused terminal, a stuck journal: stderr is a pipe nobody reads. The
/// daemon must keep serving and say afterwards how many lines it could not write.
/// </summary>
public sealed partial class BlockedLogTests(ITestOutputHelper output)
{
    /// <summary>
    /// Sessions with a long request target (logged at -v), so each one writes about 2 KiB of log: far
    /// more than the pipe (64 KiB) and the daemon's queue (256 KiB) together, many times over.
    /// </summary>
    private const int Sessions = 2000;
    private const int Parallel = 4;
    private static readonly string LongPath = "/" + new string('p', 1500);
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_stderr_pipe_nobody_reads_does_not_stop_new_sessions_and_the_drops_are_reported()
    {
        await using var target = TcpTarget.Echo();
        using var daemon = StartWithStderrUnread(target);
        try
        {
            // Read only as far as the banner's port; from here on nobody reads the pipe.
            var port = await ReadPortAsync(daemon.StandardError);
            var clock = Stopwatch.StartNew();
            await RunSessionsAsync(port, Sessions);
            output.WriteLine($"{Sessions} sessions with stderr unread: {clock.Elapsed.TotalSeconds:0.0} s");

            // A blocked sink would have hung a session above; one more, with data, proves the relay too.
            using (var cts = new CancellationTokenSource(SessionTimeout))
            {
                await using var client = await RawWebSocketClient.ConnectAsync(port).WaitAsync(cts.Token);
                await client.AssertEchoAsync("still serving").WaitAsync(cts.Token);
            }

            // Now drain: the queued lines, then the notice in place of what could not be written.
            var notice = await ReadUntilAsync(daemon.StandardError, l => l.Contains("log lines dropped", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
            output.WriteLine(notice);
            Assert.Matches(@" WARNING \d+ log lines dropped: stderr was not accepting writes$", notice);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                Signals.Send(daemon.Id, Signals.SIGTERM);
            }

            // Keep reading so the exit's own lines cannot block it; the exit is bounded either way.
            var drain = daemon.StandardError.ReadToEndAsync();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await daemon.WaitForExitAsync(exit.Token);
            await drain;
        }
    }

    [Fact]
    public async Task A_stuck_stderr_cannot_hold_up_the_exit()
    {
        await using var target = TcpTarget.Echo();
        using var daemon = StartWithStderrUnread(target);
        try
        {
            var port = await ReadPortAsync(daemon.StandardError);

            // About 500 KiB of log: the pipe is full and the writer is stuck in write(2).
            await RunSessionsAsync(port, 200);
            var clock = Stopwatch.StartNew();
            Signals.Send(daemon.Id, Signals.SIGTERM);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await daemon.WaitForExitAsync(exit.Token);
            output.WriteLine($"exited {clock.Elapsed.TotalSeconds:0.0} s after SIGTERM, stderr never read");
            Assert.Equal(0, daemon.ExitCode);
        }
        finally
        {
            if (!daemon.HasExited)
            {
                Signals.Send(daemon.Id, Signals.SIGKILL);
            }
        }
    }

    private static Process StartWithStderrUnread(TcpTarget target)
    {
        var psi = new ProcessStartInfo(RepositoryPaths.Binary) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-v", "127.0.0.1:0", target.Address })
        {
            psi.ArgumentList.Add(arg);
        }

        return Process.Start(psi)!;
    }

    private static async Task RunSessionsAsync(int port, int count)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                await ShortSessionAsync(port, i);
            }
        })));
    }

    private static async Task ShortSessionAsync(int port, int index)
    {
        using var cts = new CancellationTokenSource(SessionTimeout);
        try
        {
            await using var client = await RawWebSocketClient.ConnectAsync(port, RawWebSocketClient.UpgradeRequest(port, path: LongPath)).WaitAsync(cts.Token);
            Assert.Equal(101, client.StatusCode);
            await client.SendAsync(RawFrame.CloseFrame(1000, "done"));
            await client.ReadUntilCloseAsync(SessionTimeout).WaitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"session {index} got no answer within {SessionTimeout.TotalSeconds} s: the daemon stopped serving with its stderr unread");
        }
    }

    private static async Task<int> ReadPortAsync(StreamReader stderr)
    {
        var line = await ReadUntilAsync(stderr, l => ListenLine().IsMatch(l), TimeSpan.FromSeconds(15));
        return int.Parse(ListenLine().Match(line).Groups[1].Value);
    }

    private static async Task<string> ReadUntilAsync(StreamReader reader, Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = 0;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            seen++;
            if (predicate(line))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"stderr ended after {seen} lines without the expected line");
    }

    [GeneratedRegex(@"- Listen on .*:(\d+)$")]
    private static partial Regex ListenLine();
}
