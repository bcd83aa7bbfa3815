namespace Websockify.Cli;

/// <summary>A command-line error: printed after the usage text, exit status 2 (optparse's parser.error).</summary>
internal sealed class CliUsageException(string message) : Exception(message);

/// <summary>A recognised option whose feature this build does not have yet: one line, exit status 2.</summary>
internal sealed class CliNotSupportedException(string message) : Exception(message);
