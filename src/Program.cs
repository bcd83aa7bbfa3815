using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Hosting;
using System.Runtime.InteropServices;
using Websockify.Http;
using Websockify.Interop;
using Websockify.Listening;
using Websockify.Logging;
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

            options = OptionsBuilder.Build(parsed, Environment.CurrentDirectory, File.Exists);
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
            Console.Error.WriteLine($"websockify: cannot open log file '{options.LogFile}': {ex.Message}");
            return ExitFailure;
        }

        using (loggerFactory)
        {
            return await RunAsync(options, loggerFactory.CreateLogger("websockify")).ConfigureAwait(false);
        }
    }

    private static async Task<int> RunAsync(ProxyOptions options, ILogger logger)
    {
        TlsServerContext tls;
        System.Net.Sockets.Socket listener;
        try
        {
            tls = TlsServerContext.Load(options.Tls, logger);
            listener = ListenSocketFactory.Bind(options.Listen, options.PreferIpv6);
        }
        catch (Exception ex) when (ex is TlsConfigurationException or ListenException)
        {
            Console.Error.WriteLine($"websockify: {ex.Message}");
            return ExitFailure;
        }

        var boundAddress = ListenSocketFactory.FormatEndpoint(listener.LocalEndPoint);
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
                Console.Error.WriteLine(
                    $"websockify: rebind.so not found (looked for {wrap.RebindLibrary ?? string.Join(", ", RebindLibraryLocator.Candidates(AppContext.BaseDirectory))}); use --rebind-lib PATH");
                return ExitFailure;
            }

            // Adopt what the program daemonizes, so it can be stopped with us and reaped (no orphans, no zombies).
            LibC.BecomeChildSubreaper();
            reports = PortReports.Create();
            var listenPort = ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port;
            var supervisor = new ProgramSupervisor(
                new ProcessProgramLauncher(wrap.Command, rebind, listenPort, reports.SocketPath), wrap.Mode, wrap.Description, logger);
            supervisor.Starting += reports.Reset;
            childExits = PosixSignalRegistration.Create(PosixSignal.SIGCHLD, _ => ProcessProgramLauncher.ReapAdoptedOrphans(supervisor.CurrentPid));
            resolver = new WrappedTargetResolver(reports, wrap.Description, wrap.Mode);
            supervising = supervisor.RunAsync(stopping.Token);
            _ = supervising.ContinueWith(t => stopReason.TrySetResult("the wrapped program's exit"), TaskScheduler.Default);

            // Upstream's banner names the program's port: wait (bounded) until the program listens.
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

        foreach (var line in Banner.Lines(options, boundAddress, tls, resolver.Describe()))
        {
            HostingLog.Banner(logger, line);
        }

        var server = new ProxyServer([listener], tls, new MethodNotAllowedHandler(), resolver, logger);
        var serving = server.RunAsync();
        var reason = await stopReason.Task.ConfigureAwait(false);
        await server.StopAsync(reason).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);
        var programStatus = await supervising.ConfigureAwait(false);
        await serving.ConfigureAwait(false);
        reports?.Dispose();
        childExits?.Dispose();

        // In exit mode the daemon reports the program's status (upstream always exits 0).
        return programStatus ?? 0;
    }
}
