using System.Diagnostics;
using System.Runtime.InteropServices;
using CliWrap;
using CliWrap.Buffered;

namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A network namespace the test creates (its own loopback), held open by an <c>unshare -n</c> process
/// and removed with it (killed by PID). Firewall rules set in it (nft) touch nothing outside. Sockets
/// made by <see cref="Run{T}"/> live in it: a socket belongs to the namespace of the thread that
/// created it, so that thread enters the namespace first and is thrown away after.
/// </summary>
internal sealed partial class NetworkNamespace : IAsyncDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly Process _holder;

    private NetworkNamespace(Process holder) => _holder = holder;

    /// <summary>For <c>nsenter</c>: the namespace's file.</summary>
    public string NetPath => $"/proc/{_holder.Id}/ns/net";

    public static async Task<NetworkNamespace> CreateAsync()
    {
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardInput = true };
        foreach (var arg in new[] { "--net", "sh", "-c", "ip link set lo up && echo up && exec sleep 600" })
        {
            psi.ArgumentList.Add(arg);
        }

        var holder = Process.Start(psi)!;
        var ns = new NetworkNamespace(holder);
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var line = await holder.StandardOutput.ReadLineAsync(bound.Token);
        if (line != "up")
        {
            await ns.DisposeAsync();
            throw new InvalidOperationException("could not make a network namespace (unshare --net needs root)");
        }

        return ns;
    }

    /// <summary>Runs <paramref name="inside"/> on a fresh thread that has entered the namespace.</summary>
    public T Run<T>(Func<T> inside)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle(NetPath);
                if (SetNs((int)handle.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns: errno {Marshal.GetLastPInvokeError()}");
                }

                result = inside();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("in the namespace: " + failure.Message, failure);
    }

    /// <summary>A command run inside (nsenter), which must succeed.</summary>
    public async Task ExecAsync(params string[] command)
    {
        var result = await Cli.Wrap("nsenter").WithArguments(["--net=" + NetPath, "--", .. command])
            .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)}: exit {result.ExitCode}: {result.StandardError}");
        }
    }

    /// <summary>Packets to and from a local TCP port vanish: no FIN, no RST, no ACK, as when a host goes away.</summary>
    public async Task BlackHoleAsync(int port)
    {
        await ExecAsync("nft", "add table inet blackhole");
        await ExecAsync("nft", "add chain inet blackhole out { type filter hook output priority 0 ; }");
        await ExecAsync("nft", $"add rule inet blackhole out tcp sport {port} drop");
        await ExecAsync("nft", $"add rule inet blackhole out tcp dport {port} drop");
    }

    public ValueTask DisposeAsync()
    {
        if (!_holder.HasExited)
        {
            _holder.Kill();
            _holder.WaitForExit(5000);
        }

        _holder.Dispose();
        return ValueTask.CompletedTask;
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
