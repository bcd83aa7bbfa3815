using System.Globalization;
using Websockify.Cli;

namespace Websockify.Tokens;

/// <summary>
/// <c>TokenRedis</c>'s <c>--token-source</c>, upstream's <c>host[:port[:db[:password[:namespace]]]]</c>
/// split by <see cref="TokenSourceFields"/>: an empty field takes its default (port 6379, db 0, no
/// password, no namespace), and a namespace gets a colon appended. Upstream exits with status 0 on a bad
/// source; here it is a usage error (exit 2). The password is kept out of <see cref="ToString"/>.
/// </summary>
internal sealed record TokenRedisSource(string Host, int Port, int Database, string? Password, string Namespace)
{
    public const int DefaultPort = 6379;

    private const string Syntax = "host[:port[:db[:password[:namespace]]]]";

    public static TokenRedisSource Parse(string? source)
    {
        if (string.IsNullOrEmpty(source))
        {
            throw Usage($"TokenRedis needs --token-source {Syntax}");
        }

        var fields = TokenSourceFields.Split(source);
        if (fields.Count > 5)
        {
            throw Usage($"option --token-source: TokenRedis takes at most 5 fields ({Syntax}; quote a field that has colons: \"a:b\"), got {fields.Count}");
        }

        string Field(int index) => index < fields.Count ? fields[index] : "";

        // An IPv6 literal must be quoted ("::1" or "[::1]"): the fields are split at every unquoted colon.
        var host = Field(0) is ['[', .. var inner, ']'] ? inner : Field(0);
        if (host.Length == 0)
        {
            throw Usage($"option --token-source: TokenRedis needs a Redis host ({Syntax})");
        }

        var port = Number(Field(1), DefaultPort, "port", 1, 65535);
        var database = Number(Field(2), 0, "db", 0, int.MaxValue);
        var password = Field(3) is { Length: > 0 } secret ? secret : null;
        var prefix = Field(4) is { Length: > 0 } name ? name + ":" : "";
        return new TokenRedisSource(host, port, database, password, prefix);
    }

    /// <summary>For logs and the banner: never the password.</summary>
    public override string ToString() =>
        $"{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port} db {Database}" +
        (Password is null ? "" : " with a password") + (Namespace.Length == 0 ? "" : $" namespace '{Namespace}'");

    private static int Number(string text, int fallback, string what, int min, int max)
    {
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw Usage($"option --token-source: TokenRedis {what} must be a number from {min} to {max}, not '{text}'");
    }

    private static CliUsageException Usage(string message) => new(message);
}
