using System.Text;

namespace Websockify.Platform;

/// <summary>
/// A secret kept in a file (a key password, Basic auth credentials; a systemd credential is one too):
/// its first line without the line ending, strict UTF-8, bounded. Messages name the file, never the content.
/// </summary>
internal static class SecretLine
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The first line, read up to its newline only (a pipe such as <c>&lt;(pass show x)</c> works), bounded.</summary>
    public static string Read(string path, string what, int maxBytes)
    {
        if (Directory.Exists(path))
        {
            throw new SecretLineException($"{what}: cannot read '{path}': it is a directory");
        }

        var line = new byte[maxBytes + 1];
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
            throw new SecretLineException($"{what}: cannot read '{path}': {ex.Message}");
        }

        var newline = Array.IndexOf(line, (byte)'\n', 0, length);
        var end = newline >= 0 ? newline : length;
        if (end > maxBytes)
        {
            throw new SecretLineException($"{what}: the first line of '{path}' is longer than {maxBytes} bytes");
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
            throw new SecretLineException($"{what}: the first line of '{path}' is not UTF-8");
        }
    }
}
