namespace Websockify.Http;

/// <summary>
/// A refused request: the status, a short reason for the body and the log, and the headers that belong
/// with it (Allow with 405, Sec-WebSocket-Version with 426, WWW-Authenticate with 401). The connection
/// closes after it.
/// </summary>
internal sealed record HttpRejection(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRejection(int status, string reason)
        : this(status, reason, [])
    {
    }
}
