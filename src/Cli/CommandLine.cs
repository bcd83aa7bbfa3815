using Websockify.Systemd;

namespace Websockify.Cli;

/// <summary>The command line's verdict: options to run with, or an exit status (help, version, an error already printed).</summary>
internal sealed record CommandLineResult(ProxyOptions? Options, IReadOnlyList<PassedFd> Passed, int? ExitStatus);

/// <summary>Parses the arguments as upstream does: usage errors print upstream's text and exit 2.</summary>
internal static class CommandLine
{
    public const int ExitUsage = 2;

    /// <param name="takePassed">The sockets passed to us, given whether <c>--inetd</c> was named (fd 0 then).</param>
    public static CommandLineResult Parse(string[] args, Func<bool, IReadOnlyList<PassedFd>> takePassed)
    {
        try
        {
            var parsed = ArgumentTokenizer.Tokenize(args);
            if (parsed.Has("help"))
            {
                Console.Out.Write(UsageText.Help());
                return new CommandLineResult(null, [], 0);
            }

            if (parsed.Has("version"))
            {
                Console.Out.WriteLine($"websockify {typeof(CommandLine).Assembly.GetName().Version?.ToString(3)} (websockify-unix)");
                return new CommandLineResult(null, [], 0);
            }

            var passed = takePassed(parsed.Has("inetd"));
            var options = OptionsBuilder.Build(
                parsed, Environment.CurrentDirectory, File.Exists, socketsPassed: passed.Count > 0,
                credentialsDirectory: Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY"));
            return new CommandLineResult(options, passed, null);
        }
        catch (CliUsageException ex)
        {
            Console.Error.Write($"{UsageText.Usage}\nwebsockify: error: {ex.Message}\n");
            return new CommandLineResult(null, [], ExitUsage);
        }
        catch (CliNotSupportedException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return new CommandLineResult(null, [], ExitUsage);
        }
    }
}
