namespace Websockify.Logging;

/// <summary>How a syslog datagram is framed.</summary>
internal enum SyslogFraming
{
    /// <summary>RFC 5424: <c>&lt;PRI&gt;1 TIMESTAMP HOST websockify PID - - MSG</c> (upstream's default).</summary>
    Rfc5424,

    /// <summary><c>--legacy-syslog</c>, BSD/RFC 3164 style: <c>&lt;PRI&gt;websockify[PID]: MSG</c>.</summary>
    Legacy,
}
