using Microsoft.Extensions.Logging;

namespace Websockify.Auth;

/// <summary><c>--auth-plugin</c> with its checked source; <c>--web-auth</c> applies it to the web server's requests too.</summary>
internal sealed record AuthSettings(string PluginName, Func<ILogger, IConnectionAuthenticator> Create, bool WebAuth);
