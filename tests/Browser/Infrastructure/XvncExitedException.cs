namespace Websockify.Tests.Browser.Infrastructure;

/// <summary>Xvnc ended during start-up (its display or port was taken meanwhile).</summary>
internal sealed class XvncExitedException(string message) : Exception(message);
