using Websockify.Cli;

namespace Websockify.Tokens;

/// <summary>Opens the source at start-up, after the command line was checked; throws <see cref="TokenSourceException"/>.</summary>
internal delegate ITokenSource TokenSourceOpener(TokenSourceContext context);

/// <summary>
/// One token plugin by upstream's class name. <see cref="Parse"/> checks <c>--token-source</c> while the
/// command line is parsed (a bad source is a usage error, exit 2: throw <see cref="CliUsageException"/>)
/// and returns how to open it; relative paths are made absolute against the working directory there.
/// </summary>
/// <param name="Parse">(source or null when not given, working directory) → opener.</param>
internal sealed record TokenPlugin(string Name, Func<string?, string, TokenSourceOpener> Parse);
