using System.Text;
using Websockify.Platform;

namespace Websockify.Cli;

/// <summary>
/// Where the key password comes from: <c>--key-password</c> (upstream's; every user can read it in
/// <c>ps</c>), <c>--key-password-file</c>, or, with neither, the systemd credential
/// <c>websockify-key-password</c> (<c>LoadCredential=</c>/<c>SetCredential=</c>, found in
/// <c>$CREDENTIALS_DIRECTORY</c>). A file gives its first line without the line ending.
/// </summary>
internal static class KeyPasswordSources
{
    /// <summary>
    /// Far above any real password, and what a pipe always holds at once: <c>-D</c> hands the password to
    /// its child through one before starting it.
    /// </summary>
    public const int MaxBytes = 4096;

    public const string CredentialName = "websockify-key-password";

    public static string? Resolve(ParsedArguments args, string workingDirectory, string? credentialsDirectory)
    {
        var given = args.Value("key-password");
        var file = args.Value("key-password-file");
        if (given is not null && file is not null)
        {
            throw new CliUsageException("--key-password and --key-password-file cannot be used together");
        }

        if (given is not null)
        {
            return Encoding.UTF8.GetByteCount(given) <= MaxBytes
                ? given
                : throw new CliUsageException($"option --key-password: longer than {MaxBytes} bytes");
        }

        if (file is not null)
        {
            return ReadFirstLine(Path.GetFullPath(file, workingDirectory), "option --key-password-file");
        }

        if (!string.IsNullOrEmpty(credentialsDirectory))
        {
            var credential = Path.Combine(credentialsDirectory, CredentialName);
            return File.Exists(credential) ? ReadFirstLine(credential, "credential " + CredentialName) : null;
        }

        return null;
    }

    private static string ReadFirstLine(string path, string what)
    {
        try
        {
            return SecretLine.Read(path, what, MaxBytes);
        }
        catch (SecretLineException ex)
        {
            throw new CliUsageException(ex.Message);
        }
    }
}
