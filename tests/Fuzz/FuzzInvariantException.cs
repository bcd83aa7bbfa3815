namespace Websockify.Fuzz;

/// <summary>A target's own check failed: the parser returned, but with something it must never return.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);
