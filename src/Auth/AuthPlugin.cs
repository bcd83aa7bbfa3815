using Microsoft.Extensions.Logging;

namespace Websockify.Auth;

/// <summary>What an auth plugin's <see cref="AuthPlugin.Parse"/> sees of the command line.</summary>
/// <param name="Source"><c>--auth-source</c>, or null when not given.</param>
/// <param name="CredentialsDirectory">systemd's <c>$CREDENTIALS_DIRECTORY</c>, where a secret source may be.</param>
/// <param name="VerifyClient"><c>--verify-client</c>: client certificates are asked for and checked.</param>
internal sealed record AuthSourceArguments(string? Source, string WorkingDirectory, string? CredentialsDirectory, bool VerifyClient);

/// <summary>
/// One <c>--auth-plugin</c> by upstream's class name. <see cref="Parse"/> checks the source while the
/// command line is parsed (a usage error, exit 2, throws <see cref="Cli.CliUsageException"/>) and returns
/// how to make the authenticator at start-up; one that reads files may also be <see cref="Hosting.IReloadable"/>.
/// </summary>
internal sealed record AuthPlugin(string Name, Func<AuthSourceArguments, Func<ILogger, IConnectionAuthenticator>> Parse);
