using Websockify.Wrapping;

namespace Websockify.Cli;

/// <summary>Turns tokenised arguments into <see cref="ProxyOptions"/>, with upstream's checks and messages.</summary>
internal static class OptionsBuilder
{
    /// <summary>Upstream's cross-option errors (websocketproxy.py), checked before anything else.</summary>
    private static readonly (string Needs, string Option)[] Dependencies =
    [
        ("token-plugin", "token-source"),
        ("token-plugin", "host-token"),
        ("auth-plugin", "auth-source"),
        ("auth-plugin", "web-auth"),
        ("web", "web-auth"),
        ("syslog", "legacy-syslog"),
    ];

    public static ProxyOptions Build(ParsedArguments args, string workingDirectory, Func<string, bool> fileExists)
    {
        foreach (var (needs, option) in Dependencies)
        {
            if (args.Has(option) && !args.Has(needs))
            {
                throw new CliUsageException($"You must use --{needs} to use --{option}");
            }
        }

        foreach (var name in args.OptionNames)
        {
            if (OptionTable.FindLong(name).Availability == OptionAvailability.NotSupportedYet)
            {
                throw new CliNotSupportedException($"websockify: --{name} is not supported yet");
            }
        }

        var (listen, target) = ParsePositionals(args);
        var tls = BuildTls(args, workingDirectory, fileExists);
        return new ProxyOptions
        {
            Listen = listen,
            Target = target,
            Wrap = args.WrapCommand is { } command
                ? new WrapSettings(command, ParseWrapMode(args.Value("wrap-mode") ?? "exit"), args.Value("rebind-lib") is { } lib ? Path.GetFullPath(lib, workingDirectory) : null)
                : null,
            Verbose = args.Has("verbose"),
            PreferIpv6 = args.Has("prefer-ipv6"),
            LogFile = args.Value("log-file") is { } log ? Path.GetFullPath(log, workingDirectory) : null,
            Tls = tls,
        };
    }

    private static WrapMode ParseWrapMode(string value) => value switch
    {
        "exit" => WrapMode.Exit,
        "ignore" => WrapMode.Ignore,
        "respawn" => WrapMode.Respawn,
        _ => throw new CliUsageException($"option --wrap-mode: invalid choice: '{value}' (choose from 'exit', 'ignore', 'respawn')"),
    };

    private static (HostPort Listen, HostPort? Target) ParsePositionals(ParsedArguments args)
    {
        if (args.Positionals.Count == 0)
        {
            throw new CliUsageException("Too few arguments");
        }

        var listen = HostPort.ParseListen(args.Positionals[0]);
        if (args.WrapCommand is not null)
        {
            if (args.Positionals.Count > 1)
            {
                throw new CliUsageException("Too many arguments");
            }

            if (args.WrapCommand.Count == 0)
            {
                throw new CliUsageException("Too few arguments");
            }

            return (listen, null);
        }

        if (args.Positionals.Count < 2)
        {
            throw new CliUsageException("Too few arguments");
        }

        if (args.Positionals.Count > 2)
        {
            throw new CliUsageException("Too many arguments");
        }

        return (listen, HostPort.ParseTarget(args.Positionals[1]));
    }

    private static TlsSettings BuildTls(ParsedArguments args, string workingDirectory, Func<string, bool> fileExists)
    {
        // Upstream makes --cert absolute at start-up, so a later chdir (daemon mode, --web) cannot change its meaning.
        var cert = Path.GetFullPath(args.Value("cert") ?? "self.pem", workingDirectory);
        var sslOnly = args.Has("ssl-only");
        if (sslOnly && !fileExists(cert))
        {
            throw new CliUsageException($"SSL only and {cert} not found");
        }

        return new TlsSettings
        {
            CertPath = cert,
            KeyPath = args.Value("key") is { } key ? Path.GetFullPath(key, workingDirectory) : null,
            KeyPassword = args.Value("key-password"),
            SslOnly = sslOnly,
            MinimumProtocols = TlsVersionChoice.Parse(args.Value("ssl-version") ?? "default"),
            CipherSuites = args.Value("ssl-ciphers") is { } ciphers ? CipherSuiteList.Parse(ciphers) : null,
        };
    }
}
