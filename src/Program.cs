using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Interop;
using Websockify.Listening;
using Websockify.Logging;
using Websockify.Systemd;
using Websockify.Targets;
using Websockify.Wrapping;

namespace Websockify;

internal static class Program
{
    private const int ExitUsage = 2;
    private const int ExitFailure = 1;

    public static async Task<int> Main(string[] args)
    {
        RuntimeTuning.Apply();
        ProxyOptions options;
        IReadOnlyList<PassedFd> passed;
        try
        {
            var parsed = ArgumentTokenizer.Tokenize(args);
            if (parsed.Has("help"))
            {
                Console.Out.Write(UsageText.Help());
                return 0;
            }

            if (parsed.Has("version"))
            {
                Console.Out.WriteLine($"websockify {typeof(Program).Assembly.GetName().Version?.ToString(3)} (websockify-unix)");
                return 0;
            }

            passed = parsed.Has("inetd") ? [new PassedFd(0, "inetd")] : ListenFds.TakeFromEnvironment();
            options = OptionsBuilder.Build(parsed, Environment.CurrentDirectory, File.Exists, socketsPassed: passed.Count > 0);
        }
        catch (CliUsageException ex)
        {
            Console.Error.Write($"{UsageText.Usage}\nwebsockify: error: {ex.Message}\n");
            return ExitUsage;
        }
        catch (CliNotSupportedException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitUsage;
        }

        if (options.Daemon && !Daemonizer.IsDaemonChild)
        {
            return await Daemonizer.RunParentAsync(args).ConfigureAwait(false);
        }

        if (Daemonizer.IsDaemonChild)
        {
            Daemonizer.DetachChild();
        }

        using var notifier = ServiceNotifier.FromEnvironment();
        var watchdog = ServiceNotifier.TakeWatchdogInterval();
        SinkLoggerFactory loggerFactory;
        try
        {
            var format = JournalDetector.StderrIsJournal(Environment.GetEnvironmentVariable("JOURNAL_STREAM"))
                ? LogFormat.Journal
                : LogFormat.Timestamped;
            var sink = new LogSink(Console.OpenStandardError(), format, options.LogFile);
            loggerFactory = new SinkLoggerFactory(sink, options.Verbose ? LogLevel.Debug : LogLevel.Information);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FailStartup(notifier, $"cannot open log file '{options.LogFile}': {ex.Message}");
        }

        using (loggerFactory)
        {
            return await RunAsync(options, passed, notifier, watchdog, loggerFactory.CreateLogger("websockify")).ConfigureAwait(false);
        }
    }

    /// <summary>A start-up error: on stderr, and to whoever waits for READY (systemd, the -D parent).</summary>
    private static int FailStartup(ServiceNotifier notifier, string message)
    {
        Console.Error.WriteLine($"websockify: {message}");
        notifier.Send(NotifyMessages.Status(message));
        return ExitFailure;
    }

    private static async Task<int> RunAsync(
        ProxyOptions options, IReadOnlyList<PassedFd> passed, ServiceNotifier notifier, TimeSpan? watchdog, ILogger logger)
    {
        TlsServerContext tls;
        IReadOnlyList<Socket> listeners;
        Socket? acceptedConnection = null;
        try
        {
            tls = TlsServerContext.Load(options.Tls, logger);
            if (passed.Count > 0)
            {
                var inherited = InheritedSockets.Adopt(passed);
                listeners = inherited.Listeners;
                acceptedConnection = inherited.Connection;
            }
            else
            {
                listeners = [ListenSocketFactory.Bind(options.Listen!, options.PreferIpv6)];
            }
        }
        catch (Exception ex) when (ex is TlsConfigurationException or ListenException)
        {
            return FailStartup(notifier, ex.Message);
        }

        var source = options.Inetd ? "inetd"
            : listeners.Count > 0 ? string.Join(", ", listeners.Select(l => ListenSocketFactory.FormatEndpoint(l.LocalEndPoint)))
            : ListenSocketFactory.FormatEndpoint(acceptedConnection?.LocalEndPoint);
        var listenDescription = options.Inetd ? "Listen for inetd connections"
            : passed.Count > 0 ? $"Listen on {source} (passed by the service manager: {string.Join(", ", passed.Select(p => p.Name))})"
            : $"Listen on {source}";

        using var stopping = new CancellationTokenSource();
        var stopReason = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var signals = new ShutdownSignals(signal => stopReason.TrySetResult(signal));

        ITargetResolver resolver;
        PortReports? reports = null;
        PosixSignalRegistration? childExits = null;
        Task<int?> supervising = Task.FromResult<int?>(null);
        if (options.Wrap is { } wrap)
        {
            var rebind = RebindLibraryLocator.Find(wrap.RebindLibrary, AppContext.BaseDirectory);
            if (rebind is null)
            {
                return FailStartup(notifier,
                    $"rebind.so not found (looked for {wrap.RebindLibrary ?? string.Join(", ", RebindLibraryLocator.Candidates(AppContext.BaseDirectory))}); use --rebind-lib PATH");
            }

            // The port the program will bind: ours (a socket we bound or were passed), else the one named.
            var listenPort = listeners.Select(l => l.LocalEndPoint).OfType<IPEndPoint>().Select(e => e.Port).FirstOrDefault(options.Listen?.Port ?? 0);

            // Adopt what the program daemonizes, so it can be stopped with us and reaped (no orphans, no zombies).
            LibC.BecomeChildSubreaper();
            reports = PortReports.Create();
            var supervisor = new ProgramSupervisor(
                new ProcessProgramLauncher(wrap.Command, rebind, listenPort, reports.SocketPath), wrap.Mode, wrap.Description, logger);
            supervisor.Starting += reports.Reset;
            childExits = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ProcessProgramLauncher.ReapAdoptedOrphans(supervisor.CurrentPid));
            resolver = new WrappedTargetResolver(reports, wrap.Description, wrap.Mode);
            supervising = supervisor.RunAsync(stopping.Token);
            _ = supervising.ContinueWith(t => stopReason.TrySetResult("the wrapped program's exit"), TaskScheduler.Default);

            // Upstream's banner names the program's port, and READY=1 must mean "serving": wait (bounded)
            // until the program listens.
            await Task.WhenAny(reports.Current, supervising, stopReason.Task, Task.Delay(TimeSpan.FromSeconds(30))).ConfigureAwait(false);
            if (reports.Current.IsCompletedSuccessfully)
            {
                WrappingLog.Listening(logger, wrap.Description, reports.Current.Result.ToString());
            }
        }
        else
        {
            resolver = new FixedTargetResolver(new TargetEndpoint(options.Target!.Host!, options.Target.Port));
        }

        foreach (var line in Banner.Lines(listenDescription, source, tls, resolver.Describe(), Daemonizer.IsDaemonChildStarted))
        {
            HostingLog.Banner(logger, line);
        }

        using var pidFile = options.PidFile is { } pidPath ? PidFile.Write(pidPath) : null;
        var server = new ProxyServer(listeners, tls, new MethodNotAllowedHandler(), resolver, logger);
        var serving = server.RunAsync();
        if (acceptedConnection is not null)
        {
            _ = server.ServeSingleAsync(acceptedConnection).ContinueWith(_ => stopReason.TrySetResult("the passed connection's end"), TaskScheduler.Default);
        }

        notifier.Send(NotifyMessages.Join(NotifyMessages.Ready, NotifyMessages.MainPid(Environment.ProcessId), NotifyMessages.SessionStatus(0, resolver.Describe())));
        var background = new List<Task>();
        if (watchdog is { } interval && notifier.Enabled)
        {
            background.Add(WatchdogPinger.RunAsync(notifier, interval, stopping.Token));
        }

        if (notifier.Enabled)
        {
            background.Add(ReportStatusAsync(notifier, server, resolver, stopping.Token));
        }

        using var reload = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            notifier.Send(NotifyMessages.Reloading(MonotonicMicroseconds()));
            tls.Reload(logger);
            notifier.Send(NotifyMessages.Ready);
        });

        var reason = await stopReason.Task.ConfigureAwait(false);
        notifier.Send(NotifyMessages.Join(NotifyMessages.Stopping, NotifyMessages.Status($"stopping ({reason})")));
        await server.StopAsync(reason).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        var programStatus = await supervising.ConfigureAwait(false);
        await serving.ConfigureAwait(false);
        await Task.WhenAll(background).ConfigureAwait(false);
        reports?.Dispose();
        childExits?.Dispose();

        // In exit mode the daemon reports the program's status (upstream always exits 0).
        return programStatus ?? 0;
    }

    /// <summary>STATUS= for `systemctl status`, sent when the session count changes (at most once a second).</summary>
    private static async Task ReportStatusAsync(ServiceNotifier notifier, ProxyServer server, ITargetResolver resolver, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var last = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = server.SessionCount;
                if (now != last)
                {
                    notifier.Send(NotifyMessages.SessionStatus(now, resolver.Describe()));
                    last = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000.0));
}
