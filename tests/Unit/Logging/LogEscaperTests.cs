using System.Text;
using System.Text.RegularExpressions;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

public sealed class LogEscaperTests
{
    public static TheoryData<int> C0Controls() => [.. Enumerable.Range(0, 0x20)];

    public static TheoryData<int> C1Controls() => [.. Enumerable.Range(0x80, 0x20)];

    [Fact]
    public void Plain_text_is_returned_as_it_is_without_a_copy()
    {
        const string message = "127.0.0.1: session ended: ClientClosed (1000 bye); 5 bytes, é 日本";
        Assert.Same(message, LogEscaper.Escape(message));
    }

    [Fact]
    public void Characters_outside_the_BMP_are_kept()
    {
        Assert.Equal("bye \U0001F600 ok", LogEscaper.Escape("bye \U0001F600 ok"));
    }

    [Fact]
    public void A_forged_line_and_an_escape_sequence_become_visible_escapes()
    {
        var escaped = LogEscaper.Escape("bye\n<0>FORGED\x1b[31m");
        Assert.Equal(@"bye\n<0>FORGED\x1b[31m", escaped);
    }

    [Theory]
    [MemberData(nameof(C0Controls))]
    public void Every_C0_control_is_escaped(int code)
    {
        var escaped = LogEscaper.Escape($"a{(char)code}b");
        var expected = code switch
        {
            '\n' => @"a\nb",
            '\r' => @"a\rb",
            '\t' => @"a\tb",
            _ => $"a\\x{code:x2}b",
        };
        Assert.Equal(expected, escaped);
    }

    [Fact]
    public void Exactly_controls_separators_bidirectional_marks_backslash_and_lone_surrogates_are_touched()
    {
        for (var code = 0; code < 0x10000; code++)
        {
            var c = (char)code;
            var touched = code < 0x20 || c == '\\' || code is >= 0x7f and <= 0x9f or >= 0x2028 and <= 0x202e or >= 0x2066 and <= 0x2069
                || char.IsSurrogate(c);
            var text = c.ToString();
            Assert.True(touched != ReferenceEquals(text, LogEscaper.Escape(text)), $"U+{code:X4}");
        }
    }

    [Fact]
    public void Delete_is_escaped()
    {
        Assert.Equal(@"a\x7fb", LogEscaper.Escape("a\x7f" + "b"));
    }

    [Theory]
    [MemberData(nameof(C1Controls))]
    public void Every_C1_control_is_escaped(int code)
    {
        // U+009B is CSI: a terminal reading UTF-8 C1 controls would start an escape sequence with it.
        Assert.Equal($"a\\u{code:x4}b", LogEscaper.Escape($"a{(char)code}b"));
    }

    [Theory]
    [InlineData('\u2028')]
    [InlineData('\u2029')]
    [InlineData('\u202a')]
    [InlineData('\u202e')]
    [InlineData('\u2066')]
    [InlineData('\u2069')]
    public void Line_separators_and_bidirectional_overrides_are_escaped(char c)
    {
        Assert.Equal($"a\\u{(int)c:x4}b", LogEscaper.Escape($"a{c}b"));
    }

    [Fact]
    public void A_backslash_is_doubled_so_escapes_are_unambiguous()
    {
        // The client sent a backslash and an n, not a newline: the log must tell the two apart.
        Assert.Equal(@"a\\nb", LogEscaper.Escape(@"a\nb"));
        Assert.NotEqual(LogEscaper.Escape(@"a\nb"), LogEscaper.Escape("a\nb"));
    }

    [Fact]
    public void A_lone_surrogate_is_shown_rather_than_replaced()
    {
        Assert.Equal(@"a\ud800b", LogEscaper.Escape("a\ud800b"));
        Assert.Equal(@"a\udc00", LogEscaper.Escape("a\udc00"));
    }

    [Fact]
    public void A_message_at_the_cap_is_kept_whole()
    {
        var message = new string('a', LogEscaper.MaxMessageBytes);
        Assert.Equal(message, LogEscaper.Escape(message));
    }

    [Fact]
    public void A_long_message_is_cut_and_says_how_much_was_cut()
    {
        var escaped = LogEscaper.Escape(new string('a', 10_000));
        var match = Matched(@"^a+ \[\.\.\. (\d+) bytes cut\]$", escaped);
        var kept = escaped.IndexOf(' ', StringComparison.Ordinal);
        Assert.Equal(10_000, kept + int.Parse(match.Groups[1].Value));
        Assert.True(Encoding.UTF8.GetByteCount(escaped) <= LogEscaper.MaxMessageBytes);
    }

    [Fact]
    public void The_cap_counts_escaped_bytes_and_never_splits_an_escape()
    {
        var escaped = LogEscaper.Escape(new string('\x1b', 3000));
        Assert.True(Encoding.UTF8.GetByteCount(escaped) <= LogEscaper.MaxMessageBytes);
        var body = escaped[..escaped.IndexOf(' ', StringComparison.Ordinal)];
        Assert.Matches(@"^(\\x1b)+$", body);
        var cut = int.Parse(Matched(@"\[\.\.\. (\d+) bytes cut\]$", escaped).Groups[1].Value);
        Assert.Equal(3000, (body.Length / 4) + cut);
    }

    [Fact]
    public void The_cap_counts_UTF8_bytes_and_never_splits_a_surrogate_pair()
    {
        var escaped = LogEscaper.Escape(string.Concat(Enumerable.Repeat("\U0001F600", 2000)) + "\n");
        Assert.True(Encoding.UTF8.GetByteCount(escaped) <= LogEscaper.MaxMessageBytes);
        for (var i = 0; i < escaped.Length; i++)
        {
            if (char.IsHighSurrogate(escaped[i]))
            {
                Assert.True(char.IsLowSurrogate(escaped[++i]));
            }
            else
            {
                Assert.False(char.IsSurrogate(escaped[i]));
            }
        }

        Assert.EndsWith(" bytes cut]", escaped);
    }

    private static Match Matched(string pattern, string text)
    {
        var match = Regex.Match(text, pattern);
        Assert.True(match.Success, $"'{text}' does not match {pattern}");
        return match;
    }
}
