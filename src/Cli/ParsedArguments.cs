namespace Websockify.Cli;

/// <summary>The raw result of tokenising argv: options by long name, positionals, and a wrap command.</summary>
internal sealed class ParsedArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    public List<string> Positionals { get; } = [];

    /// <summary>Everything after <c>--</c>, or null when there was no <c>--</c>.</summary>
    public List<string>? WrapCommand { get; set; }

    public IEnumerable<string> OptionNames => _options.Keys;

    /// <summary>Every option as it was given, with the argv elements it took, in order (repeats included).</summary>
    public List<OptionOccurrence> Occurrences { get; } = [];

    /// <summary>optparse keeps the last occurrence of a repeated option; so do we.</summary>
    public void Set(OptionSpec option, string? value) => _options[option.Long] = value;

    /// <summary>As <see cref="Set"/>, remembering that argv[<paramref name="first"/>..<paramref name="last"/>] gave it.</summary>
    public void Set(OptionSpec option, string? value, int first, int last)
    {
        Set(option, value);
        Occurrences.Add(new OptionOccurrence(option.Long, first, last));
    }

    public bool Has(string longName) => _options.ContainsKey(longName);

    public string? Value(string longName) => _options.GetValueOrDefault(longName);
}
