namespace Websockify.Targets;

/// <summary>The <c>--ssl-target-cafile</c> could not be used: a start-up error, never a per-session one.</summary>
internal sealed class TargetTlsConfigurationException(string message) : Exception(message);
