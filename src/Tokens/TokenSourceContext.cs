using Microsoft.Extensions.Logging;

namespace Websockify.Tokens;

/// <summary>What a token source gets when it is opened at start-up.</summary>
internal sealed record TokenSourceContext(TimeProvider Time, ILogger Logger);
