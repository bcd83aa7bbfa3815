namespace Websockify.Targets;

/// <summary>Where one session's bytes go. Today a TCP host and port; unix sockets join later.</summary>
internal sealed record TargetEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
