namespace Websockify.Logging;

/// <summary>The syslog server cannot be set up at start-up (a host name that does not resolve): exit status 1.</summary>
internal sealed class SyslogSetupException(string message, Exception? inner = null) : Exception(message, inner);
