namespace Websockify.Web;

/// <summary>The <c>--web</c> directory cannot be served: a start-up error (exit 1) naming it.</summary>
internal sealed class WebRootException(string message) : Exception(message);
