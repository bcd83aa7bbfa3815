using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Websockify.Logging;

/// <summary>
/// Builds one syslog datagram the way upstream's WebsockifySysLogHandler does: RFC 5424
/// <c>&lt;PRI&gt;1 2026-11-23T18:50:20Z HOST websockify PID - - MSG</c> (UTC, whole seconds, no
/// MSGID or structured data; a non-ASCII MSG starts with the UTF-8 BOM, RFC 5424 §6.4), or with
/// <c>--legacy-syslog</c> <c>&lt;PRI&gt;websockify[PID]: MSG</c>. PRI is facility * 8 + severity. The
/// text is already escaped (<see cref="LogEscaper"/>), so it holds no newline or other control
/// character; the datagram is cut to <see cref="MaxBytes"/> on a UTF-8 character boundary.
/// </summary>
internal sealed class SyslogFormatter
{
    public const string Ident = "websockify";

    /// <summary>RFC 5424 §6.1: every receiver SHOULD take 2048 octets (RFC 5426 §3.2 says the same for UDP).</summary>
    public const int UdpMaxBytes = 2048;

    /// <summary>A local daemon takes more (rsyslog's default is 8 KiB); a capped line (4000 bytes) then fits whole.</summary>
    public const int UnixMaxBytes = 8192;

    private static readonly byte[] Bom = [0xef, 0xbb, 0xbf];

    private readonly SyslogFraming _framing;
    private readonly int _facility;
    private readonly string _hostname;
    private readonly int _pid;

    public SyslogFormatter(SyslogFraming framing, int facility, string hostname, int pid, int maxBytes)
    {
        _framing = framing;
        _facility = facility;
        _hostname = HostnameField(hostname);
        _pid = pid;
        MaxBytes = maxBytes;
    }

    public int MaxBytes { get; }

    /// <summary>RFC 5424 HOSTNAME: printable US-ASCII without spaces, at most 255; "-" (NILVALUE) when none is left.</summary>
    public static string HostnameField(string hostname)
    {
        var field = new string(hostname.Where(c => c is > ' ' and <= '~').Take(255).ToArray());
        return field.Length == 0 ? "-" : field;
    }

    /// <summary>The datagram for <paramref name="entry"/>, written into <paramref name="destination"/> (at least <see cref="MaxBytes"/> long).</summary>
    public int Format(LogEntry entry, Span<byte> destination)
    {
        var limit = destination[..MaxBytes];
        var priority = (_facility * 8) + SyslogSeverity.Of(entry.Level);
        var header = _framing == SyslogFraming.Legacy
            ? string.Create(CultureInfo.InvariantCulture, $"<{priority}>{Ident}[{_pid}]: ")
            : string.Create(CultureInfo.InvariantCulture, $"<{priority}>1 {entry.UtcTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} {_hostname} {Ident} {_pid} - - ");
        var length = Encoding.ASCII.GetBytes(header, limit);

        // RFC 3164 knows no BOM, and a /dev/log reader would show it as part of the text.
        if (_framing == SyslogFraming.Rfc5424 && !Ascii.IsValid(entry.Text) && length + Bom.Length <= limit.Length)
        {
            Bom.CopyTo(limit[length..]);
            length += Bom.Length;
        }

        // Stops before the first character that does not fit whole (escaped text has no lone surrogates).
        _ = Utf8.FromUtf16(entry.Text, limit[length..], out _, out var written, replaceInvalidSequences: true, isFinalBlock: true);
        return length + written;
    }
}
