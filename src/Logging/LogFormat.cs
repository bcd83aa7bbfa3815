namespace Websockify.Logging;

/// <summary>How a line is framed: for a terminal or file, or for systemd's journal; as text or, with <c>--log-format json</c>, as one JSON object.</summary>
internal enum LogFormat
{
    /// <summary><c>2026-11-23 18:50:20.123 INFO message</c>.</summary>
    Timestamped,

    /// <summary><c>&lt;6&gt;message</c>: the journal adds its own timestamp and reads the syslog priority prefix.</summary>
    Journal,

    /// <summary>One JSON object per line (<see cref="JsonLogLine"/>).</summary>
    Json,

    /// <summary>The journal's priority prefix, then the JSON object.</summary>
    JournalJson,
}
