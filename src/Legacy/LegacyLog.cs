using Microsoft.Extensions.Logging;

namespace Websockify.Legacy;

internal static partial class LegacyLog
{
    [LoggerMessage(1300, LogLevel.Information, "{Client}: {Draft} handshake (an old insecure draft, allowed by --allow-hixie)", EventName = "HixieHandshake")]
    public static partial void HixieHandshake(ILogger logger, string client, string draft);

    [LoggerMessage(1302, LogLevel.Warning, "--allow-hixie: Hixie-75/76 clients are accepted; these drafts have no frame masking and a handshake other sites can forge: use them only where nothing else works", EventName = "HixieAllowed")]
    public static partial void HixieAllowed(ILogger logger);

    [LoggerMessage(1301, LogLevel.Information, "{Client}: Flash socket policy request answered, closing", EventName = "FlashPolicyAnswered")]
    public static partial void FlashPolicyAnswered(ILogger logger, string client);
}
