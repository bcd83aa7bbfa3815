using System.Globalization;
using System.Text;
using Microsoft.Win32.SafeHandles;
using Websockify.Cli;
using Websockify.Interop;

namespace Websockify.Hosting;

/// <summary>
/// How <c>-D</c> gives the key password to the daemon it re-executes without putting it where other users
/// can read it (the child's argv and environment are world-readable in /proc): the parent writes it into
/// a pipe, closes the writing end and lets the child inherit the reading end, whose number alone is in
/// <see cref="Variable"/>. The child reads to the end, closes it and removes the variable, so wrapped
/// programs get neither.
/// </summary>
internal sealed class KeyPasswordHandoff : IDisposable
{
    public const string Variable = "WEBSOCKIFY_KEY_PASSWORD_FD";

    private readonly SafeFileHandle _read;

    private KeyPasswordHandoff(SafeFileHandle read)
    {
        _read = read;
    }

    /// <summary>The fd number the child inherits; the value of <see cref="Variable"/>.</summary>
    public string Fd => ((int)_read.DangerousGetHandle()).ToString(CultureInfo.InvariantCulture);

    /// <summary>The password, written in full before the child starts (it fits: at most <see cref="KeyPasswordSources.MaxBytes"/>, one page).</summary>
    /// <exception cref="IOException">No pipe could be made or written.</exception>
    public static KeyPasswordHandoff Create(string password)
    {
        var (read, write) = LibC.CreateInheritablePipe(out var errno) ?? throw new IOException($"cannot create a pipe: {LibC.Describe(errno)}");
        try
        {
            using var writer = new FileStream(write, FileAccess.Write, bufferSize: 0);
            writer.Write(Encoding.UTF8.GetBytes(password));
        }
        catch
        {
            read.Dispose();
            throw;
        }

        return new KeyPasswordHandoff(read);
    }

    /// <summary>
    /// In the daemon child: the password its parent handed over, or null when there was none. The variable
    /// is gone afterwards whatever happened.
    /// </summary>
    /// <exception cref="IOException">The variable names no readable pipe, or what it holds is too long or not UTF-8.</exception>
    public static string? Take()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (value is null)
        {
            return null;
        }

        Environment.SetEnvironmentVariable(Variable, null);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd < 3 || !LibC.IsOpen(fd))
        {
            throw new IOException($"{Variable}={value} is not an open file descriptor");
        }

        var buffer = new byte[KeyPasswordSources.MaxBytes + 1];
        var length = 0;
        using (var reader = new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, bufferSize: 0))
        {
            int read;
            while (length < buffer.Length && (read = reader.Read(buffer, length, buffer.Length - length)) > 0)
            {
                length += read;
            }
        }

        if (length > KeyPasswordSources.MaxBytes)
        {
            throw new IOException($"the key password handed over is longer than {KeyPasswordSources.MaxBytes} bytes");
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            throw new IOException("the key password handed over is not UTF-8");
        }
    }

    /// <summary>The parent's copy of the reading end, closed once the child holds its own.</summary>
    public void Dispose() => _read.Dispose();
}
