using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Websockify.Interop;
using Websockify.Targets;

namespace Websockify.Wrapping;

/// <summary>rebind.so was not found; start-up fails with this message (exit status 1).</summary>
internal sealed class WrapStartException(string message) : Exception(message);

/// <summary>
/// <c>websockify PORT -- PROGRAM ARGS</c>: the program started under supervision with rebind.so, the
/// resolver that targets whatever port it listens on, and the reaping of what it daemonizes.
/// </summary>
internal sealed class WrappedProgram : IDisposable
{
    /// <summary>How long start-up waits for the program to listen before serving (and READY=1) anyway.</summary>
    public static readonly TimeSpan ListenWait = TimeSpan.FromSeconds(30);

    /// <summary>How often, once the program has exited before listening, its leftovers are looked for.</summary>
    private static readonly TimeSpan LeftoverPoll = TimeSpan.FromMilliseconds(100);

    private readonly WrapSettings _settings;
    private readonly PortReports _reports;
    private readonly PosixSignalRegistration _childExits;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource<int> _firstExit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WrappedProgram(WrapSettings settings, PortReports reports, ProgramSupervisor supervisor, TimeProvider time, ILogger logger, CancellationToken stop, Action? restarted)
    {
        var starts = 0;
        supervisor.Starting += () =>
        {
            if (starts++ > 0)
            {
                restarted?.Invoke(); // every start after the first is a restart (metrics)
            }
        };
        _settings = settings;
        _reports = reports;
        _time = time;
        _logger = logger;
        Resolver = new WrappedTargetResolver(reports, settings.Description, settings.Mode, time);
        supervisor.Starting += reports.Reset;
        supervisor.Exited += status => _firstExit.TrySetResult(status);
        _childExits = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ProcessProgramLauncher.ReapAdoptedOrphans(supervisor.CurrentPid));
        Supervising = supervisor.RunAsync(stop);
    }

    public ITargetResolver Resolver { get; }

    /// <summary>Ends when supervision ends: with the program's status in exit mode, null once stopped.</summary>
    public Task<int?> Supervising { get; }

    /// <param name="listenPort">The port the program will bind: the daemon's own (rebind.so moves it).</param>
    /// <exception cref="WrapStartException">rebind.so is not where it was looked for.</exception>
    /// <param name="maxRespawnsPerMinute"><see cref="Limits.MaxRespawnsPerMinute"/>: respawn mode gives up past it.</param>
    /// <param name="restarted">Told of each restart (respawn mode).</param>
    public static WrappedProgram Start(WrapSettings settings, int listenPort, int maxRespawnsPerMinute, TimeProvider time, ILogger logger, CancellationToken stop, Action? restarted = null)
    {
        var rebind = RebindLibraryLocator.Find(settings.RebindLibrary, AppContext.BaseDirectory)
            ?? throw new WrapStartException(
                $"rebind.so not found (looked for {settings.RebindLibrary ?? string.Join(", ", RebindLibraryLocator.Candidates(AppContext.BaseDirectory))}); use --rebind-lib PATH");

        // Adopt what the program daemonizes, so it can be stopped with us and reaped (no orphans, no zombies).
        LibC.BecomeChildSubreaper();
        PortReports reports;
        try
        {
            reports = PortReports.Create(WrappedTree.Contains, logger);
        }
        catch (Platform.PrivateSocketException ex)
        {
            throw new WrapStartException(ex.Message);
        }

        var supervisor = new ProgramSupervisor(
            new ProcessProgramLauncher(settings.Command, rebind, listenPort, reports.SocketPath), settings.Mode, settings.Description, logger, time: time,
            maxRespawnsPerMinute: maxRespawnsPerMinute);
        return new WrappedProgram(settings, reports, supervisor, time, logger, stop, restarted);
    }

    /// <summary>
    /// Upstream's banner names the program's port, and READY=1 must mean "serving": wait, bounded, until
    /// the program listens (or exits, or the daemon is told to stop). In ignore mode a program that exits
    /// leaving nothing running and no port reported (vncserver without HOME) is a failed start, not a
    /// service that answers "no target" for ever.
    /// </summary>
    public async Task<WrapStart> WaitUntilListeningAsync(Task stopRequested)
    {
        using var done = new CancellationTokenSource();
        var giveUp = Task.Delay(ListenWait, _time, done.Token);
        var nothingLeft = _settings.Mode == WrapMode.Ignore ? WaitForNothingLeftAsync(done.Token) : Task.Delay(Timeout.Infinite, done.Token);
        var first = await Task.WhenAny(_reports.Current, Supervising, stopRequested, giveUp, nothingLeft).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        if (_reports.Current.IsCompletedSuccessfully)
        {
            WrappingLog.Listening(_logger, _settings.Description, _reports.Current.Result.ToString());
            return WrapStart.Listening;
        }

        if (first == nothingLeft && nothingLeft.IsCompletedSuccessfully)
        {
            return WrapStart.NothingLeft;
        }

        return first == giveUp ? WrapStart.NotYetListening : WrapStart.Ended;
    }

    /// <summary>Why <see cref="WrapStart.NothingLeft"/>, for the log and systemd's STATUS=.</summary>
    public string NothingLeftMessage(int listenPort) =>
        $"{_settings.Description} exited with status {(_firstExit.Task.IsCompletedSuccessfully ? _firstExit.Task.Result : -1)} " +
        $"before listening on port {listenPort}, and left no process running";

    /// <summary>Completes when the program has exited and no process it started is alive (the daemon is their subreaper).</summary>
    private async Task WaitForNothingLeftAsync(CancellationToken cancellationToken)
    {
        await _firstExit.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (WrappedTree.Live(ProcessTree.Snapshot()).Count > 0)
        {
            await Task.Delay(LeftoverPoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _reports.Dispose();
        _childExits.Dispose();
    }
}
