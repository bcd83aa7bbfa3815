namespace Websockify.Cli;

/// <summary>Whether an option works in this build, or is recognised only to refuse it clearly.</summary>
internal enum OptionAvailability
{
    Supported,
    NotSupportedYet,
}

/// <summary>One command-line option, spelled exactly as upstream websockify spells it.</summary>
internal sealed record OptionSpec(
    string Long,
    char? Short,
    string? Metavar,
    OptionAvailability Availability,
    string Help)
{
    public bool TakesValue => Metavar is not null;
}
