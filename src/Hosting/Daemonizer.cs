using System.Diagnostics;
using System.Net.Sockets;
using Websockify.Platform;
using System.Text;
using Websockify.Systemd;

namespace Websockify.Hosting;

/// <summary>
/// <c>-D</c>: .NET cannot fork safely, so the parent re-executes this binary detached (its own session
/// via setsid, stdio on /dev/null) and waits for it to report READY=1 over a private notify socket: the
/// parent exits 0 only once the daemon listens, or 1 with the daemon's own start-up error.
/// </summary>
internal static class Daemonizer
{
    /// <summary>Set in the re-executed child, so it does not daemonize again.</summary>
    public const string ChildMarker = "WEBSOCKIFY_DAEMON_CHILD";

    /// <summary>
    /// Longer than anything the child waits for during start-up (a wrapped program's first listen, then
    /// READY regardless), so the parent never reports failure for a daemon that goes on to run.
    /// </summary>
    private static readonly TimeSpan ReadyTimeout = Wrapping.WrappedProgram.ListenWait + TimeSpan.FromSeconds(30);

    /// <summary>How long the child gets to stop (SIGTERM) when the parent gives up on it, before SIGKILL.</summary>
    private static readonly TimeSpan GiveUpGrace = TimeSpan.FromSeconds(10);

    public static bool IsDaemonChild => Environment.GetEnvironmentVariable(ChildMarker) == "1";

    /// <summary>True in a child after <see cref="DetachChild"/> (which clears the marker for grandchildren).</summary>
    public static bool IsDaemonChildStarted { get; private set; }

    /// <param name="keyPassword">Handed to the child through a pipe; the options that gave it are left out of its argv.</param>
    public static async Task<int> RunParentAsync(IReadOnlyList<string> args, string? keyPassword)
    {
        PrivateDatagramSocket notify;
        try
        {
            notify = PrivateDatagramSocket.Create("daemon");
        }
        catch (PrivateSocketException ex)
        {
            Console.Error.WriteLine($"websockify: {ex.Message}");
            return 1;
        }

        using var notifySocket = notify;
        var psi = SessionLeader.StartInfo(
            ["/bin/sh", "-c", "exec \"$0\" \"$@\" </dev/null >/dev/null 2>&1", Environment.ProcessPath ?? throw new InvalidOperationException("unknown executable path"), .. Cli.SecretOptions.Without(args)]);
        psi.Environment[ChildMarker] = "1";
        psi.Environment["NOTIFY_SOCKET"] = notify.Path;
        psi.Environment.Remove(KeyPasswordHandoff.Variable);
        Process child;
        try
        {
            child = StartChild(psi, keyPassword);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"websockify: cannot hand the key password to the daemon: {ex.Message}");
            return 1;
        }

        using (child)
        {
            return await WaitForReadyAsync(child, notify).ConfigureAwait(false);
        }
    }

    /// <summary>0 once the child says READY=1; 1, with its start-up error, when it exits or does not say so in time.</summary>
    private static async Task<int> WaitForReadyAsync(Process child, PrivateDatagramSocket notify)
    {
        var status = "";
        using var timeout = new CancellationTokenSource(ReadyTimeout);
        var exited = child.WaitForExitAsync(timeout.Token);
        var buffer = new byte[4096];
        while (true)
        {
            var receiving = notify.Socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).AsTask();
            if (await Task.WhenAny(receiving, exited).ConfigureAwait(false) == exited || timeout.IsCancellationRequested)
            {
                if (child.HasExited)
                {
                    Console.Error.WriteLine($"websockify: the daemon exited during start-up (status {child.ExitCode}){(status.Length > 0 ? ": " + status : "")}");
                    return 1;
                }

                // Reporting failure must mean nothing runs on: stop the daemon we gave up on.
                Console.Error.WriteLine($"websockify: the daemon did not report ready within {ReadyTimeout.TotalSeconds:0} s; stopping it (pid {child.Id})");
                await StopAsync(child).ConfigureAwait(false);
                return 1;
            }

            foreach (var line in Encoding.UTF8.GetString(buffer, 0, await receiving.ConfigureAwait(false)).Split('\n'))
            {
                if (line == NotifyMessages.Ready)
                {
                    return 0;
                }

                if (line.StartsWith("STATUS=", StringComparison.Ordinal))
                {
                    status = line["STATUS=".Length..];
                }
            }
        }
    }

    /// <summary>Starts the child with the password in a pipe it inherits; the parent's copy of that pipe closes once the child has its own.</summary>
    private static Process StartChild(ProcessStartInfo psi, string? keyPassword)
    {
        using var handoff = keyPassword is null ? null : KeyPasswordHandoff.Create(keyPassword);
        if (handoff is not null)
        {
            psi.Environment[KeyPasswordHandoff.Variable] = handoff.Fd;
        }

        return SessionLeader.Start(psi);
    }

    private static async Task StopAsync(Process child)
    {
        Interop.LibC.Kill(child.Id, 15);
        using var grace = new CancellationTokenSource(GiveUpGrace);
        try
        {
            await child.WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Interop.LibC.Kill(child.Id, 9);
        }
    }

    /// <summary>In the child: umask 022 and cwd / as a classic daemon (paths were made absolute already).</summary>
    public static void DetachChild()
    {
        Interop.LibC.Umask(0x12); // 022
        Directory.SetCurrentDirectory("/");
        Environment.SetEnvironmentVariable(ChildMarker, null);
        IsDaemonChildStarted = true;
    }
}
