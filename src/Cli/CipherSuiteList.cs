using System.Net.Security;

namespace Websockify.Cli;

/// <summary>
/// Maps <c>--ssl-ciphers</c> to .NET's <see cref="CipherSuitesPolicy"/>. .NET takes an explicit list of
/// suites, not an OpenSSL cipher expression, so each colon-separated entry must name one suite: its IANA
/// name (<c>TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256</c>) or its OpenSSL name (<c>ECDHE-RSA-AES128-GCM-SHA256</c>).
/// Keywords such as <c>HIGH</c> or <c>!aNULL</c> are refused with a clear error rather than guessed at.
/// </summary>
internal static class CipherSuiteList
{
    private static readonly Dictionary<string, TlsCipherSuite> OpenSslNames = new(StringComparer.Ordinal)
    {
        ["ECDHE-ECDSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-ECDSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-ECDSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        ["ECDHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        ["ECDHE-RSA-CHACHA20-POLY1305"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ["ECDHE-RSA-AES128-SHA256"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        ["ECDHE-RSA-AES256-SHA384"] = TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        ["DHE-RSA-AES128-GCM-SHA256"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        ["DHE-RSA-AES256-GCM-SHA384"] = TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        ["AES128-GCM-SHA256"] = TlsCipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
        ["AES256-GCM-SHA384"] = TlsCipherSuite.TLS_RSA_WITH_AES_256_GCM_SHA384,
    };

    public static IReadOnlyList<TlsCipherSuite> Parse(string value)
    {
        var suites = new List<TlsCipherSuite>();
        foreach (var entry in value.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (OpenSslNames.TryGetValue(entry, out var suite)
                || (entry.StartsWith("TLS_", StringComparison.Ordinal) && Enum.TryParse(entry, ignoreCase: false, out suite)))
            {
                suites.Add(suite);
                continue;
            }

            throw new CliUsageException(
                $"option --ssl-ciphers: '{entry}' is not a cipher suite name; .NET needs an explicit list such as " +
                "TLS_AES_256_GCM_SHA384:ECDHE-RSA-AES128-GCM-SHA256 (no OpenSSL keywords like HIGH or !aNULL)");
        }

        if (suites.Count == 0)
        {
            throw new CliUsageException("option --ssl-ciphers: empty cipher list");
        }

        return suites;
    }
}
