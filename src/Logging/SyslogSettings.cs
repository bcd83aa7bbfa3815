namespace Websockify.Logging;

/// <summary><c>--syslog</c> and <c>--legacy-syslog</c>, with the facility -D chose (upstream: daemon with -D, else user).</summary>
internal sealed record SyslogSettings(SyslogServer Server, SyslogFraming Framing, int Facility)
{
    /// <summary>LOG_USER.</summary>
    public const int FacilityUser = 1;

    /// <summary>LOG_DAEMON.</summary>
    public const int FacilityDaemon = 3;
}
