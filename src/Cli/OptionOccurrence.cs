namespace Websockify.Cli;

/// <summary>
/// One option on the command line: its long name and the argv elements <see cref="First"/> to
/// <see cref="Last"/> that gave it (two for <c>--name value</c>; a short-flag cluster is one element
/// shared by all its flags).
/// </summary>
internal sealed record OptionOccurrence(string Long, int First, int Last);
