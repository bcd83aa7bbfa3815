namespace Websockify.Http;

/// <summary>A request the parser or the handshake check refuses; <see cref="Rejection"/> is what the client is told.</summary>
internal sealed class HttpRequestRejectedException(HttpRejection rejection) : Exception(rejection.Reason)
{
    public HttpRequestRejectedException(int statusCode, string message)
        : this(new HttpRejection(statusCode, message))
    {
    }

    public HttpRejection Rejection { get; } = rejection;

    public int StatusCode => Rejection.Status;
}
