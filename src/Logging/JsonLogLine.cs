using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Websockify.Logging;

/// <summary>
/// <c>--log-format json</c> (upstream #553): one object per line with the same event and values as the
/// text line: <c>time</c> (UTC), <c>level</c>, <c>event_id</c>, <c>event</c>, <c>message</c>, then each
/// named value of the message in snake_case (numbers as numbers). A connection's name
/// (<c>"203.0.113.7:4711 #12"</c>) also gives <c>peer</c> and <c>session</c>. Client-supplied strings are
/// escaped as in the text log and JSON-escaped on top, and each value is capped, so a line stays one
/// line and under PIPE_BUF.
/// </summary>
internal static class JsonLogLine
{
    /// <summary>Characters per value: the message carries the whole text already.</summary>
    public const int MaxValueChars = 256;

    private static readonly JsonWriterOptions Options = new() { Indented = false, SkipValidation = true };

    public static string Format(in LogEntry entry)
    {
        var line = Build(entry, entry.Text);
        var over = Encoding.UTF8.GetByteCount(line) - LogEscaper.MaxMessageBytes;
        if (over <= 0)
        {
            return line;
        }

        // The values took the room: the message is cut (its escapes are plain characters, safe to cut between).
        var keep = Math.Max(0, entry.Text.Length - over - 16);
        if (keep > 0 && char.IsHighSurrogate(entry.Text[keep - 1]))
        {
            keep--;
        }

        return Build(entry, entry.Text[..keep] + " [... cut]");
    }

    private static string Build(in LogEntry entry, string message)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (message.Length * 2));
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("time", entry.UtcTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            json.WriteString("level", LevelName(entry.Level));
            json.WriteNumber("event_id", entry.Event.Id);
            if (entry.Event.Name is { } name)
            {
                json.WriteString("event", name);
            }

            json.WriteString("message", message);
            foreach (var (key, value) in entry.Fields ?? [])
            {
                WriteField(json, SnakeCase(key), value);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteField(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case int or long or short or byte or uint or ushort:
                json.WriteNumber(key, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case double d when double.IsFinite(d):
                json.WriteNumber(key, Math.Round(d, 6));
                break;
            case bool b:
                json.WriteBoolean(key, b);
                break;
            default:
                var text = Cap(LogEscaper.Escape(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
                json.WriteString(key, text);
                if (key is "client" && SplitConnectionName(text) is var (peer, session))
                {
                    json.WriteString("peer", peer);
                    json.WriteNumber("session", session);
                }

                break;
        }
    }

    /// <summary><c>"PEER #ID"</c> as <c>ConnectionContext.LogName</c> writes it; null for anything else.</summary>
    internal static (string Peer, long Session)? SplitConnectionName(string text)
    {
        var hash = text.LastIndexOf(" #", StringComparison.Ordinal);
        return hash > 0 && long.TryParse(text.AsSpan(hash + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? (text[..hash], id)
            : null;
    }

    private static string Cap(string text)
    {
        if (text.Length <= MaxValueChars)
        {
            return text;
        }

        var keep = char.IsHighSurrogate(text[MaxValueChars - 1]) ? MaxValueChars - 1 : MaxValueChars;
        return text[..keep] + "...";
    }

    /// <summary><c>BytesToTarget</c> → <c>bytes_to_target</c>.</summary>
    internal static string SnakeCase(string name)
    {
        var result = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                {
                    result.Append('_');
                }

                result.Append(char.ToLowerInvariant(c));
            }
            else
            {
                result.Append(c);
            }
        }

        return result.ToString();
    }

    private static string LevelName(LogLevel level) => LogEntry.LevelName(level).ToLowerInvariant();
}
