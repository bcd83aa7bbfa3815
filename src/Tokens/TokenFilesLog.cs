using Microsoft.Extensions.Logging;

namespace Websockify.Tokens;

/// <summary>Token files and directories (1140-1159): TokenFile, ReadOnlyTokenFile, TokenFileName, UnixDomainSocketDirectory.</summary>
internal static partial class TokenFilesLog
{
    [LoggerMessage(1140, LogLevel.Warning, "Syntax error in {File} on line {Line}: {Reason}", EventName = "TokenFileSyntaxError")]
    public static partial void SyntaxError(ILogger logger, string file, int line, string reason);

    [LoggerMessage(1141, LogLevel.Warning, "{File}: {Count} more lines with errors not shown", EventName = "TokenFileMoreErrors")]
    public static partial void MoreErrors(ILogger logger, string file, int count);

    [LoggerMessage(1142, LogLevel.Information, "token source {Source}: {Tokens} tokens from {Files} file(s)", EventName = "TokenFileLoaded")]
    public static partial void Loaded(ILogger logger, string source, int tokens, int files);

    [LoggerMessage(1143, LogLevel.Error, "token source {Source} not read again, keeping the {Tokens} tokens it had: {Reason}", EventName = "TokenFileReadFailed")]
    public static partial void ReadFailed(ILogger logger, string source, int tokens, string reason);
}
