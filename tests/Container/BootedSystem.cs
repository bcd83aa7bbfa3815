using System.Diagnostics;
using System.Text;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Container;

/// <summary>
/// A real systemd as PID 1: a copy of the cached Debian minbase tree (tests/Container/rootfs.sh) booted
/// with <c>systemd-nspawn -b</c>, sharing the host's network (so its loopback is ours), with the .deb
/// that <c>make deb</c> builds installed by apt inside. Commands run in it through
/// <c>nsenter -t LEADER -a</c> (there is no machined here). Powered off, then removed, at the end; the
/// nspawn process is killed by its PID if it does not stop in time.
/// </summary>
public sealed class BootedSystem : IAsyncLifetime
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(90);

    private Process? _nspawn;

    /// <summary>The container's tree on the host.</summary>
    public string Root { get; } = Path.Combine("/var/tmp", $"websockify-container-{Guid.NewGuid():N}");

    /// <summary>The host pid of the container's PID 1.</summary>
    public int Leader { get; private set; }

    public async Task InitializeAsync()
    {
        await Host("make", "-C", RepositoryPaths.Root, "deb");
        var deb = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "build", "packages"), "websockify-unix_*_amd64.deb").Single();
        var tree = (await Host(Path.Combine(RepositoryPaths.Root, "tests", "Container", "rootfs.sh"))).Trim();

        await Host("cp", "-a", "--reflink=auto", tree, Root);
        File.Copy(deb, Path.Combine(Root, "root", "websockify-unix.deb"));

        var psi = new ProcessStartInfo("systemd-nspawn")
        {
            // No machined and no host systemd here: neither register the machine nor ask for a scope unit.
            ArgumentList =
            {
                "--quiet", "--boot", "--register=no", "--keep-unit", "--console=passive", "--hostname=websockify-test",
                $"--machine=wsu{Guid.NewGuid():N}"[..16], "--directory", Root,
            },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _nspawn = Process.Start(psi)!;
        _nspawn.StandardInput.Close();
        var output = new StringBuilder();
        _nspawn.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _nspawn.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        _nspawn.BeginOutputReadLine();
        _nspawn.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + BootTimeout;
        while ((Leader = FindLeader(_nspawn.Id)) == 0)
        {
            if (_nspawn.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"systemd-nspawn did not start a PID 1:\n{output}");
            }

            await Task.Delay(100);
        }

        // "running" or "degraded" (a unit the minbase tree cannot start): booted either way. Until PID 1
        // has its private socket, systemctl cannot connect ("offline", "Failed to connect to bus"): ask again.
        while (true)
        {
            var state = await Run(["systemctl", "is-system-running", "--wait"], BootTimeout, check: false);
            if (state.StandardOutput.Trim() is "running" or "degraded")
            {
                break;
            }

            if (_nspawn.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"the container did not boot: {state.StandardOutput} {state.StandardError}\n{output}");
            }

            await Task.Delay(200);
        }

        await Run(["apt-get", "install", "-y", "-q", "/root/websockify-unix.deb"]); // its dependencies are in the tree already
    }

    /// <summary>Runs a command inside, with a clean environment; fails the test on a non-zero exit unless <paramref name="check"/> is false.</summary>
    public async Task<BufferedCommandResult> Run(string[] command, TimeSpan? timeout = null, bool check = true)
    {
        using var cancel = new CancellationTokenSource(timeout ?? CommandTimeout);
        var result = await Cli.Wrap("nsenter")
            .WithArguments(["-t", Leader.ToString(), "-a", "--", "/usr/bin/env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                "DEBIAN_FRONTEND=noninteractive", .. command])
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync(cancel.Token);
        if (check && result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        }

        return result;
    }

    /// <summary>One line of <c>systemctl show -p NAME --value UNIT</c>.</summary>
    public async Task<string> Property(string unit, string name) =>
        (await Run(["systemctl", "show", "-p", name, "--value", unit])).StandardOutput.Trim();

    public async Task WriteFile(string path, string content, string mode = "0644")
    {
        var host = Path.Combine(Root, path.TrimStart('/'));
        Directory.CreateDirectory(Path.GetDirectoryName(host)!);
        await File.WriteAllTextAsync(host, content);
        File.SetUnixFileMode(host, (UnixFileMode)Convert.ToInt32(mode, 8));
    }

    public async Task DisposeAsync()
    {
        if (_nspawn is { } nspawn)
        {
            if (!nspawn.HasExited && Leader != 0)
            {
                await Run(["systemctl", "poweroff", "--no-block"], TimeSpan.FromSeconds(20), check: false).ConfigureAwait(false);
            }

            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await nspawn.WaitForExitAsync(stopped.Token);
            }
            catch (OperationCanceledException)
            {
                nspawn.Kill(entireProcessTree: true);
                await nspawn.WaitForExitAsync();
            }

            nspawn.Dispose();
        }

        if (Directory.Exists(Root))
        {
            await Host("rm", "-rf", "--one-file-system", Root);
        }
    }

    private static async Task<string> Host(string program, params string[] args)
    {
        var result = await Cli.Wrap(program).WithArguments(args).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited {result.ExitCode}:\n{result.StandardOutput}\n{result.StandardError}");
        }

        return result.StandardOutput;
    }

    /// <summary>The descendant of nspawn that is PID 1 of its own namespace ("NSpid: HOSTPID 1").</summary>
    private static int FindLeader(int nspawn)
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid))
            {
                try
                {
                    var status = File.ReadAllLines(Path.Combine(dir, "status"));
                    var ppid = int.Parse(status.First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim());
                    parents[pid] = ppid;
                    var nspid = status.FirstOrDefault(l => l.StartsWith("NSpid:", StringComparison.Ordinal))?[6..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
                    if (nspid is { Length: 2 } && nspid[1] == "1" && DescendsFrom(pid, nspawn, parents))
                    {
                        return pid;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidOperationException)
                {
                    // gone while we looked
                }
            }
        }

        return 0;
    }

    private static bool DescendsFrom(int pid, int ancestor, Dictionary<int, int> parents)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            if (!parents.TryGetValue(pid, out var parent))
            {
                if (!File.Exists($"/proc/{pid}/status"))
                {
                    return false;
                }

                parent = int.Parse(File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim());
                parents[pid] = parent;
            }

            if (parent == ancestor)
            {
                return true;
            }

            pid = parent;
        }

        return false;
    }
}
