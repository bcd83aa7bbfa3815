using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Websockify.Cli;
using Websockify.Logging;

namespace Websockify.Tokens;

/// <summary>
/// Upstream's <c>BaseTokenAPI</c> and <c>JSONTokenApi</c>: an HTTP(S) GET of the source URL with the token
/// in place of its <c>%s</c>. Unlike upstream, the token is percent-encoded first (upstream formats it in
/// raw, so a token can add path segments, query parameters or a fragment to the request), the request
/// is bounded (<see cref="Timeout"/> in all, no redirects, at most <see cref="MaxAnswerBytes"/> read), and
/// one pooled client serves every lookup. A 2xx answer names the target (plain <c>host:port</c>, or JSON
/// <c>{"host": …, "port": …}</c>); any other status means the API does not know the token (403); no
/// answer in time, a refused connection or a 5xx is the API being unavailable (503).
/// </summary>
internal sealed class TokenApi : ITokenSource, IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public const int MaxAnswerBytes = 4096;

    private static readonly JsonDocumentOptions Json = new() { MaxDepth = 8 };

    private readonly string _prefix;
    private readonly string _suffix;
    private readonly bool _json;
    private readonly HttpClient _client;

    private TokenApi(string url, bool json)
    {
        var at = url.IndexOf("%s", StringComparison.Ordinal);
        _prefix = url[..at];
        _suffix = url[(at + 2)..];
        _json = json;
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxResponseHeadersLength = 16, // KiB
            UseCookies = false,
            UseProxy = false,
        })
        {
            Timeout = Timeout,
            MaxResponseContentBufferSize = MaxAnswerBytes,
        };
        _client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue(json ? "application/json" : "text/plain"));
    }

    public static TokenPlugin BasePlugin { get; } = new("BaseTokenAPI", (source, _) => Parse("BaseTokenAPI", source, json: false));

    public static TokenPlugin JsonPlugin { get; } = new("JSONTokenApi", (source, _) => Parse("JSONTokenApi", source, json: true));

    public async ValueTask<TokenLookup> LookupAsync(string token, CancellationToken cancellationToken)
    {
        var url = _prefix + Uri.EscapeDataString(token) + _suffix;
        try
        {
            using var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status >= 500)
            {
                return TokenLookup.Unavailable($"the token API answered {status}");
            }

            if (status is < 200 or > 299)
            {
                return TokenLookup.Unknown($"the token API answered {status}");
            }

            var body = await ReadBoundedAsync(response.Content, cancellationToken).ConfigureAwait(false);
            return body is null ? TokenLookup.Invalid($"the token API's answer is longer than {MaxAnswerBytes} bytes") : Parse(body);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return TokenLookup.Unavailable($"the token API did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException ex)
        {
            return TokenLookup.Unavailable("the token API could not be reached: " + LogEscaper.Escape(ex.Message));
        }
    }

    public void Dispose() => _client.Dispose();

    private TokenLookup Parse(byte[] body)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body);
        }
        catch (DecoderFallbackException)
        {
            return TokenLookup.Invalid("the token API's answer is not UTF-8");
        }

        if (!_json)
        {
            return TokenTarget.Parse(text) is { } plain ? TokenLookup.Found(plain) : TokenLookup.Invalid("the token API's answer is not host:port");
        }

        try
        {
            using var document = JsonDocument.Parse(body, Json);
            return TokenTarget.FromHostAndPort(document.RootElement) is { } target
                ? TokenLookup.Found(target)
                : TokenLookup.Invalid("the token API's JSON has no host and port of a target");
        }
        catch (JsonException)
        {
            return TokenLookup.Invalid("the token API's answer is not JSON");
        }
    }

    /// <returns>The body, or null when it is longer than the bound (only that much is read).</returns>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > MaxAnswerBytes)
        {
            return null;
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxAnswerBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        return length > MaxAnswerBytes ? null : buffer[..length];
    }

    private static TokenSourceOpener Parse(string plugin, string? source, bool json)
    {
        if (string.IsNullOrEmpty(source)
            || source.IndexOf("%s", StringComparison.Ordinal) is var at && (at < 0 || source.IndexOf("%s", at + 2, StringComparison.Ordinal) >= 0)
            || !Uri.TryCreate(source.Replace("%s", "token", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https"))
        {
            throw new CliUsageException($"--token-plugin {plugin} needs --token-source URL: http:// or https://, with %s once where the token goes");
        }

        return _ => new TokenApi(source, json);
    }
}
