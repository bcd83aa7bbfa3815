namespace Websockify.Cli;

/// <summary>
/// Splits argv the way Python's optparse does for websockify: options and positionals may be
/// interleaved, <c>--name=value</c> and <c>--name value</c>, clustered short flags (<c>-v6</c>),
/// <c>-xVALUE</c>, unique long-name prefixes, and <c>--</c> ending option processing.
/// </summary>
internal static class ArgumentTokenizer
{
    public static ParsedArguments Tokenize(IReadOnlyList<string> argv)
    {
        var parsed = new ParsedArguments();
        for (var i = 0; i < argv.Count; i++)
        {
            var arg = argv[i];
            if (arg == "--")
            {
                parsed.WrapCommand = argv.Skip(i + 1).ToList();
                break;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                i = ParseLong(argv, i, parsed);
            }
            else if (arg.Length > 1 && arg[0] == '-')
            {
                i = ParseShortCluster(argv, i, parsed);
            }
            else
            {
                parsed.Positionals.Add(arg);
            }
        }

        return parsed;
    }

    private static int ParseLong(IReadOnlyList<string> argv, int i, ParsedArguments parsed)
    {
        var body = argv[i][2..];
        var eq = body.IndexOf('=');
        var name = eq >= 0 ? body[..eq] : body;
        var option = OptionTable.FindLong(name);
        if (!option.TakesValue)
        {
            if (eq >= 0)
            {
                throw new CliUsageException($"--{option.Long} option does not take a value");
            }

            parsed.Set(option, null, i, i);
            return i;
        }

        if (eq >= 0)
        {
            parsed.Set(option, body[(eq + 1)..], i, i);
            return i;
        }

        if (i + 1 >= argv.Count)
        {
            throw new CliUsageException($"--{option.Long} option requires 1 argument");
        }

        parsed.Set(option, argv[i + 1], i, i + 1);
        return i + 1;
    }

    private static int ParseShortCluster(IReadOnlyList<string> argv, int i, ParsedArguments parsed)
    {
        var arg = argv[i];
        for (var j = 1; j < arg.Length; j++)
        {
            var option = OptionTable.FindShort(arg[j]) ?? throw new CliUsageException($"no such option: -{arg[j]}");
            if (!option.TakesValue)
            {
                parsed.Set(option, null, i, i);
                continue;
            }

            if (j + 1 < arg.Length)
            {
                parsed.Set(option, arg[(j + 1)..], i, i);
                return i;
            }

            if (i + 1 >= argv.Count)
            {
                throw new CliUsageException($"-{arg[j]} option requires 1 argument");
            }

            parsed.Set(option, argv[i + 1], i, i + 1);
            return i + 1;
        }

        return i;
    }
}
