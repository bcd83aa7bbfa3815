using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Hosting;
using Websockify.Listening;
using Websockify.Logging;
using Websockify.Systemd;
using Websockify.Targets;
using Websockify.Tls;
using Websockify.Tokens;
using Websockify.Web;
using Websockify.Wrapping;

namespace Websockify;

/// <summary>The composition root: parse, detach if asked, set up logging, then build and run the server until told to stop.</summary>
internal static class Program
{
    private const int ExitFailure = 1;

    public static async Task<int> Main(string[] args)
    {
        RuntimeTuning.Apply();
        var command = CommandLine.Parse(args, inetd => inetd ? [new PassedFd(0, "inetd")] : ListenFds.TakeFromEnvironment());
        if (command.Options is not { } options)
        {
            return command.ExitStatus ?? CommandLine.ExitUsage;
        }

        if (options.Daemon && !Daemonizer.IsDaemonChild)
        {
            return await Daemonizer.RunParentAsync(args, options.Tls.KeyPassword).ConfigureAwait(false);
        }

        var daemonChild = Daemonizer.IsDaemonChild;
        if (daemonChild)
        {
            Daemonizer.DetachChild();
        }

        using var notifier = ServiceNotifier.FromEnvironment();
        if (daemonChild)
        {
            try
            {
                // -D's parent left the password out of our argv and handed it over through a pipe.
                if (KeyPasswordHandoff.Take() is { } password)
                {
                    options = options with { Tls = options.Tls with { KeyPassword = password } };
                }
            }
            catch (IOException ex)
            {
                return FailStartup(notifier, ex.Message);
            }
        }

        var watchdog = ServiceNotifier.TakeWatchdogInterval();
        SinkLoggerFactory loggerFactory;
        try
        {
            loggerFactory = DaemonLogging.Create(options.LogFile, options.Verbose, options.Syslog, options.JsonLogs);
        }
        catch (SyslogSetupException ex)
        {
            return FailStartup(notifier, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return FailStartup(notifier, $"cannot open log file '{options.LogFile}': {ex.Message}");
        }

        using (loggerFactory)
        {
            return await RunAsync(options, command.Passed, notifier, watchdog, loggerFactory.CreateLogger("websockify")).ConfigureAwait(false);
        }
    }

    /// <summary>A start-up error: on stderr, and to whoever waits for READY (systemd, the -D parent).</summary>
    private static int FailStartup(ServiceNotifier notifier, string message)
    {
        Console.Error.WriteLine($"websockify: {message}");
        notifier.Send(NotifyMessages.Status(message));
        return ExitFailure;
    }

    private static async Task<int> RunAsync(ProxyOptions options, IReadOnlyList<PassedFd> passed, ServiceNotifier notifier, TimeSpan? watchdog, ILogger logger)
    {
        var time = TimeProvider.System;
        using var stopping = new CancellationTokenSource();
        var stopReason = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var signals = new ShutdownSignals(signal =>
        {
            if (!stopReason.TrySetResult(signal))
            {
                secondSignal.TrySetResult(); // during --drain-timeout: stop now
            }
        });
        TlsServerContext tls;
        ListenerSet? listeners = null;
        WrappedProgram? wrapped = null;
        WebRoot? web;
        PidFile? pidFile = null;
        TargetTlsContext? targetTls;
        ITokenSource? tokenSource = null;
        System.Net.Sockets.Socket? metricsSocket = null;
        using var metrics = options.Metrics is null ? null : new Metrics.DaemonMetrics();
        try
        {
            tls = TlsServerContext.Load(options.Tls, logger);
            targetTls = options.TargetTls is { } targetTlsSettings ? TargetTlsContext.Load(targetTlsSettings, logger) : null;
            web = options.Web is { } webSettings ? WebRoot.Open(webSettings) : null;
            tokenSource = options.Tokens?.Open(new TokenSourceContext(time, logger));
            // In wrap mode with --unix-listen the listen positional names the program's port only.
            var tcpListen = options.UnixListen is not null && options.Wrap is not null ? null : options.Listen;
            listeners = ListenerSet.Open(tcpListen, passed, options.Inetd, options.UnixListen);
            metricsSocket = options.Metrics is { } metricsListen ? ListenSocketFactory.Bind(metricsListen) : null;
            pidFile = options.PidFile is { } pidPath ? PidFile.Write(pidPath) : null; // once listening, before any child
            if (options.Wrap is { } wrap)
            {
                wrapped = WrappedProgram.Start(wrap, listeners.Port(options.Listen), options.Limits.MaxRespawnsPerMinute, time, logger, stopping.Token,
                    metrics is null ? null : metrics.ProgramRestarted);
            }
        }
        catch (Exception ex) when (ex is TlsConfigurationException or WebRootException or ListenException or WrapStartException or PidFileException or TargetTlsConfigurationException
            or TokenSourceException)
        {
            (tokenSource as IDisposable)?.Dispose();
            metricsSocket?.Dispose();
            listeners?.Dispose(); // the --unix-listen file bound before the failure
            return FailStartup(notifier, ex.Message);
        }

        using var unixSocketFile = listeners;
        using var pidFileLease = pidFile;
        using var program = wrapped;
        using var tokens = tokenSource as IDisposable;
        if (wrapped is not null)
        {
            _ = wrapped.Supervising.ContinueWith(_ => stopReason.TrySetResult("the wrapped program's exit"), TaskScheduler.Default);
            if (await wrapped.WaitUntilListeningAsync(stopReason.Task).ConfigureAwait(false) == WrapStart.NothingLeft)
            {
                await stopping.CancelAsync().ConfigureAwait(false);
                await wrapped.Supervising.ConfigureAwait(false);
                return FailStartup(notifier, wrapped.NothingLeftMessage(listeners.Port(options.Listen)));
            }
        }

        ITargetResolver resolver = wrapped?.Resolver
            ?? (options.Tokens is { } tokenSettings
                ? new TokenTargetResolver(tokenSettings, tokenSource!, options.TargetTls is not null, logger)
                : new FixedTargetResolver(options.Target!));
        var auth = options.Auth?.Create(logger);

        foreach (var line in Banner.Lines(listeners.Descriptions, listeners.Source, tls, resolver.Describe(), Daemonizer.IsDaemonChildStarted, web?.RealPath, options.Record?.BasePath))
        {
            HostingLog.Banner(logger, line);
        }

        using var lifetime = new ServerLifetime(options.Lifetime, time);
        var server = ServerBuilder.Build(listeners, tls, resolver, web, options.Limits, options.Heartbeat, lifetime, time, logger, options.Record, options.Traffic, options.TargetProxyProtocol, targetTls,
            auth, options.Auth?.WebAuth ?? false, options.Legacy, options.ClientAddresses, metrics);
        using var exporter = metrics is null ? null : new Metrics.PrometheusExporter(metrics.Meter);
        await using var metricsServer = metricsSocket is null ? null : new Metrics.MetricsServer(metricsSocket, exporter!, () => server.Draining, time, logger);
        if (metrics is not null && metricsServer is not null)
        {
            metrics.Observe(() => server.SessionCount, () => server.OpenConnections, () => server.Draining, server.LiveBytes);
            metrics.Touch();
            metricsServer.Start();
            Metrics.MetricsLog.Listening(logger, metricsServer.Address);
        }

        if (!options.ClientAddresses.Trusted.IsEmpty)
        {
            Net.NetLog.TrustedProxies(logger, options.ClientAddresses.ProxyProtocol ? "a PROXY header (required) and X-Forwarded-For" : "X-Forwarded-For", options.ClientAddresses.Trusted.ToString());
        }

        if (options.Legacy.AllowHixie)
        {
            Legacy.LegacyLog.HixieAllowed(logger);
        }

        var serving = server.RunAsync();
        if (listeners.Connection is { } accepted)
        {
            _ = server.ServeSingleAsync(accepted).ContinueWith(_ => stopReason.TrySetResult("the passed connection's end"), TaskScheduler.Default);
        }

        // Before READY=1: systemctl reload may follow at once, and an unhandled SIGHUP terminates the process.
        // Certificates, then what else reads files: token sources, the auth plugin's credentials.
        IReloadable[] reloadables = [tls, .. new object?[] { tokenSource, auth }.OfType<IReloadable>()];
        using var reload = new ReloadOnHangup(notifier, reloadables, logger);

        // Not when it is already over (the wrapped program exited in exit mode, a signal during start-up).
        if (!stopReason.Task.IsCompleted)
        {
            notifier.Send(NotifyMessages.Join(NotifyMessages.Ready, NotifyMessages.MainPid(Environment.ProcessId), NotifyMessages.SessionStatus(0, resolver.Describe())));
        }

        var background = new List<Task>();
        if (watchdog is { } interval && notifier.Enabled)
        {
            background.Add(WatchdogPinger.RunAsync(notifier, interval, time, stopping.Token));
        }

        if (notifier.Enabled)
        {
            background.Add(StatusReporter.RunAsync(notifier, () => server.SessionCount, resolver.Describe, time, stopping.Token, () => server.Draining));
        }

        var (reason, stoppingSent) = await StoppedOrEndedAsync(stopReason.Task, lifetime, server, notifier, logger).ConfigureAwait(false);
        if (options.Limits.DrainTimeout > TimeSpan.Zero && !stoppingSent)
        {
            HostingLog.Draining(logger, reason, server.OpenConnections, options.Limits.DrainTimeout.TotalSeconds);
            notifier.Send(NotifyMessages.Stopping);
            stoppingSent = true;
            var drained = await server.DrainAsync(options.Limits.DrainTimeout, secondSignal.Task, left =>
                notifier.Send(NotifyMessages.Status($"draining ({reason}): {left} connection(s) left"))).ConfigureAwait(false);
            HostingLog.Drained(logger, drained ? "every connection ended" : secondSignal.Task.IsCompleted ? "cut short by a second signal" : "the drain timeout passed", server.OpenConnections);
        }

        var status = NotifyMessages.Status($"stopping ({reason})");
        notifier.Send(stoppingSent ? status : NotifyMessages.Join(NotifyMessages.Stopping, status));
        await server.StopAsync(reason).ConfigureAwait(false);
        await stopping.CancelAsync().ConfigureAwait(false);

        // In exit mode the daemon reports the program's status (upstream always exits 0).
        var programStatus = wrapped is null ? null : await wrapped.Supervising.ConfigureAwait(false);
        await serving.ConfigureAwait(false);
        await Task.WhenAll(background).ConfigureAwait(false);
        return programStatus ?? 0;
    }

    /// <summary>
    /// Until a signal (or the wrapped program) stops the daemon, or the server ends on its own: then it
    /// stops accepting and waits, unbounded as upstream, for the connections it has; a signal meanwhile
    /// still stops it the usual way (1001 to each session).
    /// </summary>
    /// <returns>Why, and whether STOPPING=1 went out already (it does when the server ends on its own).</returns>
    private static async Task<(string Reason, bool StoppingSent)> StoppedOrEndedAsync(
        Task<string> stopped, ServerLifetime lifetime, ProxyServer server, ServiceNotifier notifier, ILogger logger)
    {
        if (await Task.WhenAny(stopped, lifetime.Ended).ConfigureAwait(false) == stopped)
        {
            return (await stopped.ConfigureAwait(false), false);
        }

        var ended = await lifetime.Ended.ConfigureAwait(false);
        HostingLog.EndedOnItsOwn(logger, ended);
        notifier.Send(NotifyMessages.Join(NotifyMessages.Stopping, NotifyMessages.Status(ended)));
        server.StopAccepting();
        await Task.WhenAny(stopped, server.Drained).ConfigureAwait(false);
        return (stopped.IsCompleted ? await stopped.ConfigureAwait(false) : ended, true);
    }
}
