using System.Text;

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

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

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

    /// <summary>The first line, read up to its newline only (a pipe such as <c>&lt;(pass show x)</c> works), bounded.</summary>
    private static string ReadFirstLine(string path, string what)
    {
        if (Directory.Exists(path))
        {
            throw new CliUsageException($"{what}: cannot read '{path}': it is a directory");
        }

        var line = new byte[MaxBytes + 1];
        var length = 0;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            while (length < line.Length && Array.IndexOf(line, (byte)'\n', 0, length) < 0)
            {
                var read = stream.Read(line, length, line.Length - length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{what}: cannot read '{path}': {ex.Message}");
        }

        var newline = Array.IndexOf(line, (byte)'\n', 0, length);
        var end = newline >= 0 ? newline : length;
        if (end > MaxBytes)
        {
            throw new CliUsageException($"{what}: the first line of '{path}' is longer than {MaxBytes} bytes");
        }

        if (end > 0 && line[end - 1] == '\r')
        {
            end--;
        }

        try
        {
            return StrictUtf8.GetString(line, 0, end);
        }
        catch (DecoderFallbackException)
        {
            throw new CliUsageException($"{what}: the first line of '{path}' is not UTF-8");
        }
    }
}
