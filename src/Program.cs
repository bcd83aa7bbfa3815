using Microsoft.Extensions.Logging;
using Websockify.Cli;
using Websockify.Hosting;
using Websockify.Http;
using Websockify.Listening;
using Websockify.Logging;
using Websockify.Targets;

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

        var target = new TargetEndpoint(options.Target.Host!, options.Target.Port);
        var resolver = new FixedTargetResolver(target);
        foreach (var line in Banner.Lines(options, ListenSocketFactory.FormatEndpoint(listener.LocalEndPoint), tls, resolver.Describe()))
        {
            HostingLog.Banner(logger, line);
        }

        var server = new ProxyServer([listener], tls, new MethodNotAllowedHandler(), resolver, logger);
        var stopped = new TaskCompletionSource();
        using var signals = new ShutdownSignals(signal => _ = Task.Run(async () =>
        {
            await server.StopAsync(signal).ConfigureAwait(false);
            stopped.TrySetResult();
        }));

        await server.RunAsync().ConfigureAwait(false);
        await stopped.Task.ConfigureAwait(false);
        return 0;
    }
}
