namespace Websockify.Http;

/// <summary>A request the daemon refuses; <see cref="StatusCode"/> is what the client is told.</summary>
internal sealed class HttpRequestRejectedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
