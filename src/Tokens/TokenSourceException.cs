namespace Websockify.Tokens;

/// <summary>A token source that cannot be opened at start-up (a missing directory, an unreadable key): the daemon does not start.</summary>
internal sealed class TokenSourceException(string message, Exception? inner = null) : Exception(message, inner);
