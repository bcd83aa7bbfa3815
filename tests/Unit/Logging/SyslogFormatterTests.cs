using System.Text;
using Microsoft.Extensions.Logging;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

public sealed class SyslogFormatterTests
{
    private static readonly DateTime LoggedAt = new(2026, 11, 23, 18, 50, 20, 987, DateTimeKind.Utc);

    private static byte[] Format(SyslogFraming framing, LogLevel level, string text, int facility = SyslogSettings.FacilityUser, int maxBytes = SyslogFormatter.UdpMaxBytes, string host = "box.example")
    {
        var formatter = new SyslogFormatter(framing, facility, host, 4242, maxBytes);
        var buffer = new byte[maxBytes];
        return buffer.AsSpan(0, formatter.Format(new LogEntry(LoggedAt, level, text), buffer)).ToArray();
    }

    private static string Ascii(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    [Fact]
    public void Rfc5424_is_upstreams_header_with_utc_whole_seconds_and_nil_msgid_and_data() =>
        Assert.Equal("<14>1 2026-11-23T18:50:20Z box.example websockify 4242 - - proxying from a to b", Ascii(Format(SyslogFraming.Rfc5424, LogLevel.Information, "proxying from a to b")));

    [Fact]
    public void Legacy_is_bsd_framing_with_tag_and_pid() =>
        Assert.Equal("<14>websockify[4242]: proxying from a to b", Ascii(Format(SyslogFraming.Legacy, LogLevel.Information, "proxying from a to b")));

    [Theory]
    [InlineData("Debug", 1, 15)]
    [InlineData("Trace", 1, 15)]
    [InlineData("Information", 1, 14)]
    [InlineData("Warning", 1, 12)]
    [InlineData("Error", 1, 11)]
    [InlineData("Critical", 1, 10)]
    [InlineData("Debug", 3, 31)]
    [InlineData("Information", 3, 30)]
    [InlineData("Warning", 3, 28)]
    [InlineData("Error", 3, 27)]
    [InlineData("Critical", 3, 26)]
    public void Priority_is_facility_times_eight_plus_severity(string level, int facility, int priority)
    {
        var logLevel = Enum.Parse<LogLevel>(level);
        Assert.StartsWith($"<{priority}>1 ", Ascii(Format(SyslogFraming.Rfc5424, logLevel, "x", facility)));
        Assert.StartsWith($"<{priority}>websockify[", Ascii(Format(SyslogFraming.Legacy, logLevel, "x", facility)));
    }

    [Fact]
    public void Non_ascii_text_is_utf8_after_a_bom_in_rfc5424_and_without_one_in_legacy()
    {
        var rfc = Format(SyslogFraming.Rfc5424, LogLevel.Information, "café ✓");
        var header = "<14>1 2026-11-23T18:50:20Z box.example websockify 4242 - - "u8.ToArray();
        Assert.Equal([.. header, 0xef, 0xbb, 0xbf, .. Encoding.UTF8.GetBytes("café ✓")], rfc);

        var legacy = Format(SyslogFraming.Legacy, LogLevel.Information, "café ✓");
        Assert.Equal([.. "<14>websockify[4242]: "u8.ToArray(), .. Encoding.UTF8.GetBytes("café ✓")], legacy);
    }

    [Fact]
    public void Escaped_control_characters_reach_syslog_as_visible_escapes()
    {
        var text = LogEscaper.Escape("bye\n<0>FORGED\x1b[31m\0");
        Assert.Equal(@"<11>websockify[4242]: bye\n<0>FORGED\x1b[31m\x00", Ascii(Format(SyslogFraming.Legacy, LogLevel.Error, text)));
    }

    [Theory]
    [InlineData("a", 1)]
    [InlineData("é", 2)]
    [InlineData("✓", 3)]
    [InlineData("😀", 4)]
    public void A_long_message_is_cut_at_the_bound_on_a_character_boundary(string unit, int unitBytes)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 3000));
        foreach (var framing in new[] { SyslogFraming.Rfc5424, SyslogFraming.Legacy })
        {
            var datagram = Format(framing, LogLevel.Information, text);
            var prefix = framing == SyslogFraming.Legacy
                ? "<14>websockify[4242]: "u8.ToArray()
                : [.. "<14>1 2026-11-23T18:50:20Z box.example websockify 4242 - - "u8.ToArray(), .. (unitBytes > 1 ? new byte[] { 0xef, 0xbb, 0xbf } : [])];
            var room = SyslogFormatter.UdpMaxBytes - prefix.Length;
            Assert.Equal(prefix.Length + (room / unitBytes * unitBytes), datagram.Length);
            Assert.True(datagram.Length > SyslogFormatter.UdpMaxBytes - unitBytes);
            Assert.Equal(prefix, datagram[..prefix.Length]);

            // Whole characters only: the text decodes strictly and is a prefix of what was logged.
            var kept = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(datagram, prefix.Length, datagram.Length - prefix.Length);
            Assert.StartsWith(kept, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_message_that_fits_is_not_cut()
    {
        var text = new string('x', 4000);
        var datagram = Format(SyslogFraming.Rfc5424, LogLevel.Information, text, maxBytes: SyslogFormatter.UnixMaxBytes);
        Assert.EndsWith(text, Ascii(datagram), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("box.example", "box.example")]
    [InlineData("", "-")]
    [InlineData("bad host\tname", "badhostname")]
    [InlineData("höst", "hst")]
    public void Hostname_field_is_printable_ascii_or_nil(string hostname, string field) =>
        Assert.Equal($"<14>1 2026-11-23T18:50:20Z {field} websockify 4242 - - x", Ascii(Format(SyslogFraming.Rfc5424, LogLevel.Information, "x", host: hostname)));

    [Fact]
    public void Hostname_field_is_at_most_255_characters() =>
        Assert.Equal(new string('h', 255), SyslogFormatter.HostnameField(new string('h', 300)));
}
