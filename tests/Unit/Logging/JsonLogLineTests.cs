using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

public sealed class JsonLogLineTests
{
    private static JsonElement Parse(LogEntry entry)
    {
        var line = entry.Format(LogFormat.Json);
        Assert.EndsWith("}\n", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries)); // one line, whatever the values held
        return JsonDocument.Parse(line).RootElement.Clone();
    }

    [Fact]
    public void The_event_its_values_and_the_connection_name_split_into_peer_and_session()
    {
        var entry = new LogEntry(
            new DateTime(2026, 12, 3, 17, 0, 1, 250, DateTimeKind.Utc), LogLevel.Information, "203.0.113.7:4711 #12: session ended", new EventId(402, "SessionEnded"),
            [new("Client", "203.0.113.7:4711 #12"), new("BytesToTarget", 123L), new("BytesToClient", 5), new("Seconds", 1.5), new("Outcome", "ClientClosed (1000)")]);
        var json = Parse(entry);
        Assert.Equal("2026-12-03T17:00:01.250Z", json.GetProperty("time").GetString());
        Assert.Equal("info", json.GetProperty("level").GetString());
        Assert.Equal(402, json.GetProperty("event_id").GetInt32());
        Assert.Equal("SessionEnded", json.GetProperty("event").GetString());
        Assert.Equal("203.0.113.7:4711 #12: session ended", json.GetProperty("message").GetString());
        Assert.Equal("203.0.113.7:4711", json.GetProperty("peer").GetString());
        Assert.Equal(12, json.GetProperty("session").GetInt64());
        Assert.Equal(123, json.GetProperty("bytes_to_target").GetInt64());
        Assert.Equal(5, json.GetProperty("bytes_to_client").GetInt64());
        Assert.Equal(1.5, json.GetProperty("seconds").GetDouble());
        Assert.Equal("ClientClosed (1000)", json.GetProperty("outcome").GetString());
    }

    [Fact]
    public void Client_strings_are_escaped_as_in_the_text_log_and_capped()
    {
        var evil = "/a\n<3>forged\u001b[2J\"}" + new string('x', 5000);
        var entry = new LogEntry(DateTime.UtcNow, LogLevel.Warning, LogEscaper.Escape("refused " + evil), new EventId(201, "Refused"), [new("Reason", evil)]);
        var json = Parse(entry);
        var reason = json.GetProperty("reason").GetString()!;
        Assert.DoesNotContain('\n', reason);
        Assert.DoesNotContain('\u001b', reason);
        Assert.True(reason.Length <= JsonLogLine.MaxValueChars + 3);
        Assert.True(Encoding.UTF8.GetByteCount(entry.Format(LogFormat.Json)) <= LogEscaper.MaxMessageBytes + 1);
        Assert.EndsWith("[... cut]", json.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_journal_gets_its_priority_prefix_before_the_object() =>
        Assert.StartsWith("<4>{\"time\":", new LogEntry(DateTime.UtcNow, LogLevel.Warning, "w").Format(LogFormat.JournalJson), StringComparison.Ordinal);

    [Theory]
    [InlineData("BytesToTarget", "bytes_to_target")]
    [InlineData("Client", "client")]
    [InlineData("TLSVersion", "tls_version")]
    [InlineData("MaxPerAddress", "max_per_address")]
    public void Names_become_snake_case(string name, string snake) => Assert.Equal(snake, JsonLogLine.SnakeCase(name));

    [Theory]
    [InlineData("unix:/run/x.sock #3", "unix:/run/x.sock", 3L)]
    [InlineData("[::1]:80 #17", "[::1]:80", 17L)]
    public void Connection_names_split(string text, string peer, long session) => Assert.Equal((peer, session), JsonLogLine.SplitConnectionName(text));

    [Fact]
    public void Other_strings_do_not_split() => Assert.Null(JsonLogLine.SplitConnectionName("no id here"));
}
