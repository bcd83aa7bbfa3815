using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Websockify.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Websockify.Tests.Integration;

/// <summary>
/// Bounded soaks on loopback: 10,000 connect/handshake/close cycles, after which the daemon's fds,
/// threads and resident memory are back near where they started; and 9,000 idle sessions held at once,
/// each still echoing at the end. Serial with the other memory measurements (2 cores).
/// </summary>
[Collection(MemoryMeasurements.Name)]
public sealed partial class SoakTests(ITestOutputHelper output)
{
    private const int Cycles = 10_000;
    private const int WarmUp = 1_000;
    private const int IdleSessions = 9_000;
    private const int Parallel = 16;

    /// <summary>The daemon's GC gets a fixed first-generation budget, as in the TLS flood test: RSS then measures leaks, not the L3 size the VM reports.</summary>
    private static readonly Dictionary<string, string> SmallGen0 = new() { ["DOTNET_GCgen0size"] = "400000" };

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc.so.6", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc.so.6", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRLimit(int resource, in RLimit limit);

    /// <summary>Soft open-files limit up to the hard one (here 20,000): this process holds both ends of 9,000 sessions, and the daemon inherits it.</summary>
    private static ulong RaiseOpenFilesLimit()
    {
        const int RLimitNoFile = 7;
        Assert.Equal(0, GetRLimit(RLimitNoFile, out var limit));
        limit.Current = limit.Maximum;
        Assert.Equal(0, SetRLimit(RLimitNoFile, limit));
        return limit.Current;
    }

    /// <summary>An echo target with a small buffer per connection (9,000 of them must fit in this process).</summary>
    private static TcpTarget SmallEcho() => TcpTarget.Start(async socket =>
    {
        var buffer = new byte[256];
        int read;
        while ((read = await socket.ReceiveAsync(buffer)) > 0)
        {
            await socket.SendAsync(buffer.AsMemory(0, read));
        }

        socket.Shutdown(SocketShutdown.Send);
    });

    private static async Task CycleAsync(int port)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        Assert.Equal(101, client.StatusCode);
        await client.SendAsync(RawFrame.CloseFrame(1000));
        var (close, _) = await client.ReadUntilCloseAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1000, close?.CloseCode);
    }

    private static async Task InParallelAsync(int count, Func<int, Task> work)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Parallel).Select(async _ =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < count)
            {
                await work(index);
            }
        }));
    }

    private static async Task<(int Fds, int Threads, long Rss)> SettledAsync(DaemonProcess daemon, int fdsAtMost)
    {
        for (var poll = 0; poll < 100 && daemon.OpenFds() > fdsAtMost; poll++)
        {
            await Task.Delay(50); // the last connections leave the fd table
        }

        return (daemon.OpenFds(), daemon.Threads(), daemon.ResidentBytes());
    }

    [Fact]
    public async Task Ten_thousand_connect_handshake_close_cycles_leave_fds_threads_and_memory_where_they_were()
    {
        await using var target = SmallEcho();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], SmallGen0);

        await InParallelAsync(WarmUp, _ => CycleAsync(daemon.Port)); // the heap and the pools reach their working size
        var before = await SettledAsync(daemon, int.MaxValue);
        var started = DateTime.UtcNow;
        await InParallelAsync(Cycles, _ => CycleAsync(daemon.Port));
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        var after = await SettledAsync(daemon, before.Fds);

        output.WriteLine($"{Cycles} cycles in {seconds:0.0} s, {Parallel} at a time; fds {before.Fds} -> {after.Fds}, threads {before.Threads} -> {after.Threads}, " +
            $"RSS {before.Rss / 1024} -> {after.Rss / 1024} KiB");
        Assert.True(after.Fds <= before.Fds, $"fds {before.Fds} -> {after.Fds}");
        Assert.True(after.Threads <= before.Threads + 4, $"threads {before.Threads} -> {after.Threads}");
        Assert.True(after.Rss - before.Rss < 16L * 1024 * 1024, $"RSS {before.Rss / 1024} -> {after.Rss / 1024} KiB");
        Assert.Equal(Cycles + WarmUp, target.Accepted);
    }

    [Fact]
    public async Task Nine_thousand_idle_sessions_are_held_at_once_and_each_still_echoes_at_the_end()
    {
        var openFiles = RaiseOpenFilesLimit();
        Assert.True(openFiles >= 2 * IdleSessions + 1000, $"the open-files limit is {openFiles}: 9,000 sessions need both ends here");
        await using var target = SmallEcho();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address], SmallGen0);
        var idleRss = daemon.ResidentBytes();
        var sessions = new RawWebSocketClient[IdleSessions];
        try
        {
            var endpoint = new IPEndPoint(IPAddress.Loopback, daemon.Port);
            await InParallelAsync(IdleSessions, async i =>
            {
                // Spread over 127.0.0.0/8 sources: 9,000 connections from one address would use up its ephemeral ports with the cycles above.
                var source = new IPEndPoint(new IPAddress([127, 1, (byte)(i >> 8), (byte)i]), 0);
                sessions[i] = await RawWebSocketClient.ConnectAsync(endpoint, RawWebSocketClient.UpgradeRequest(daemon.Port), local: source);
                Assert.Equal(101, sessions[i].StatusCode);
            });

            // Every session is open at the target too (each took a target connection), and all are idle now.
            for (var poll = 0; poll < 200 && target.Accepted < IdleSessions; poll++)
            {
                await Task.Delay(50);
            }

            Assert.Equal(IdleSessions, target.Accepted);
            var heldRss = daemon.ResidentBytes();
            var heldFds = daemon.OpenFds();
            await Task.Delay(TimeSpan.FromSeconds(2)); // idle: nothing may time them out
            await InParallelAsync(IdleSessions, async i =>
            {
                var text = $"still here {i}";
                await sessions[i].SendAsync(RawFrame.Build(RawFrame.Binary, Encoding.ASCII.GetBytes(text)));
                var echo = await sessions[i].ReadFrameAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(text, Encoding.ASCII.GetString(echo!.Payload));
            });

            output.WriteLine($"{IdleSessions} idle sessions: daemon fds {heldFds}, RSS {idleRss / 1024} -> {heldRss / 1024} KiB " +
                $"({(heldRss - idleRss) / 1024.0 / IdleSessions:0.0} KiB a session); every one echoed");
            Assert.True(heldFds >= 2 * IdleSessions, $"only {heldFds} fds for {IdleSessions} sessions");
            Assert.DoesNotContain(daemon.Lines, l => l.Contains("session ended", StringComparison.Ordinal) || l.Contains("refused", StringComparison.Ordinal));
        }
        finally
        {
            await InParallelAsync(IdleSessions, async i =>
            {
                if (sessions[i] is { } session)
                {
                    await session.DisposeAsync();
                }
            });
        }
    }
}
