namespace Websockify.Platform;

/// <summary>A secret file that cannot be used: missing, a directory, too long, not UTF-8. The message names the file only.</summary>
internal sealed class SecretLineException(string message) : Exception(message);
