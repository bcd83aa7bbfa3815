namespace Websockify.Targets;

/// <summary>The outcome of connecting to a target: a connection, or why there is none. A refusal is a value, not an exception.</summary>
internal readonly record struct DialResult(ITargetConnection? Connection, string? Failure)
{
    public static DialResult Connected(ITargetConnection connection) => new(connection, null);

    public static DialResult Failed(string reason) => new(null, reason);
}
