using System.Text;
using System.Text.Json;

namespace Websockify.Tokens;

/// <summary>
/// What a <c>TokenRedis</c> value means, as upstream reads it: surrounding whitespace stripped, then
/// JSON <c>{"host": "h:p"}</c> when it starts with <c>{</c>, else plain <c>h:p</c>. Both go through
/// <see cref="TokenTarget.Parse"/>, so unlike upstream's <c>split(":")</c> an IPv6 target
/// (<c>::1:5901</c>, <c>[::1]:5901</c>) and <c>unix_socket:PATH</c> work too. Details never quote the value.
/// </summary>
internal static class TokenRedisValue
{
    /// <summary>A target is a few hundred bytes at most; a larger value is not one (and is not read further).</summary>
    public const int MaxBytes = 4096;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static TokenLookup Parse(ReadOnlySpan<byte> value)
    {
        if (value.Length > MaxBytes)
        {
            return TokenLookup.Invalid($"the value is longer than {MaxBytes} bytes");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(value).Trim();
        }
        catch (DecoderFallbackException)
        {
            return TokenLookup.Invalid("the value is not UTF-8");
        }

        if (text.Length == 0)
        {
            return TokenLookup.Invalid("the value is empty");
        }

        if (text.StartsWith('{'))
        {
            return JsonHost(text) is { } host
                ? TokenTarget.Parse(host) is { } jsonTarget ? TokenLookup.Found(jsonTarget) : TokenLookup.Invalid("the JSON \"host\" is not host:port")
                : TokenLookup.Invalid("the value is not a JSON object with a \"host\" string");
        }

        return TokenTarget.Parse(text) is { } target ? TokenLookup.Found(target) : TokenLookup.Invalid("the value is not host:port nor JSON");
    }

    /// <summary>The top-level <c>"host"</c> string (the last one, as Python's <c>json.loads</c> keeps), or null.</summary>
    private static string? JsonHost(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 16 });
        string? host = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isHost = reader.ValueTextEquals("host"u8);
                reader.Read();
                if (isHost)
                {
                    host = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }

                reader.Skip(); // a nested value; a no-op on a scalar
            }

            // The object ended; anything but whitespace after it makes the reader throw.
            return reader.TokenType == JsonTokenType.EndObject && !reader.Read() ? host : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
