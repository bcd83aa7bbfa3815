namespace Websockify.Http;

/// <summary>A parsed HTTP/1.x request head. Header names compare case-insensitively; order is kept.</summary>
internal sealed class HttpRequest(string method, string target, string version, IReadOnlyList<KeyValuePair<string, string>> headers)
{
    public string Method { get; } = method;

    /// <summary>The request-target as sent (origin form, e.g. <c>/websockify?token=abc</c>).</summary>
    public string Target { get; } = target;

    /// <summary><c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public string Version { get; } = version;

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; } = headers;

    public string Path => Target.IndexOf('?') is var q and >= 0 ? Target[..q] : Target;

    public IEnumerable<string> GetAll(string name) =>
        Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The single value of a header; null when absent. Repeated headers are joined as a list (RFC 9110 §5.3).</summary>
    public string? Get(string name)
    {
        var values = GetAll(name).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>Whether a comma-separated header (Connection, Upgrade) lists <paramref name="token"/>.</summary>
    public bool HasToken(string name, string token) =>
        GetAll(name).SelectMany(SplitList).Any(t => t.Equals(token, StringComparison.OrdinalIgnoreCase));

    public static IEnumerable<string> SplitList(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
