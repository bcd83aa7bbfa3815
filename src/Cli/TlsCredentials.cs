namespace Websockify.Cli;

/// <summary>
/// The certificate and key as systemd credentials (<c>LoadCredential=websockify-key:/etc/ssl/private/…</c>):
/// systemd reads the file as root and hands the service a copy only it can read, so a key kept root's
/// only needs neither a root daemon nor a looser mode (upstream #79). Used where --cert or --key is not given.
/// </summary>
internal static class TlsCredentials
{
    public const string CertName = "websockify-cert";
    public const string KeyName = "websockify-key";

    /// <summary>The credential's path when <c>$CREDENTIALS_DIRECTORY</c> holds it, else null.</summary>
    public static string? Find(string? credentialsDirectory, string name, Func<string, bool> fileExists)
    {
        if (string.IsNullOrEmpty(credentialsDirectory))
        {
            return null;
        }

        var path = Path.Combine(credentialsDirectory, name);
        return fileExists(path) ? path : null;
    }
}
