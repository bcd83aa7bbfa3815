using System.Security.Authentication;

namespace Websockify.Cli;

/// <summary>Upstream's <c>--ssl-version</c> choices: each names the minimum protocol version accepted.</summary>
internal static class TlsVersionChoice
{
    public static readonly IReadOnlyList<string> Names = ["default", "tlsv1_1", "tlsv1_2", "tlsv1_3"];

    /// <summary>None means "let the system's OpenSSL policy decide", which is what upstream's default does.</summary>
    public static SslProtocols Parse(string value) => value switch
    {
        "default" => SslProtocols.None,
#pragma warning disable SYSLIB0039 // TLS 1.1 is obsolete; the user asked for it as a minimum explicitly.
        "tlsv1_1" => SslProtocols.Tls11 | SslProtocols.Tls12 | SslProtocols.Tls13,
#pragma warning restore SYSLIB0039
        "tlsv1_2" => SslProtocols.Tls12 | SslProtocols.Tls13,
        "tlsv1_3" => SslProtocols.Tls13,
        _ => throw new CliUsageException(
            $"option --ssl-version: invalid choice: '{value}' (choose from {string.Join(", ", Names.Select(n => $"'{n}'"))})"),
    };
}
