namespace Websockify.Targets;

/// <summary>
/// <c>--ssl-target</c> and how the target's certificate is checked: against the system CA store (upstream),
/// against the certificates in <c>--ssl-target-cafile</c>, or not at all (<c>--ssl-target-insecure</c>).
/// </summary>
internal sealed record TargetTlsSettings(string? CaFile, bool Insecure);
