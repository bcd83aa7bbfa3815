using Websockify.Interop;
using Websockify.Recording;

namespace Websockify.Tests.Unit.Recording;

/// <summary>Recording files are the owner's alone, whatever the umask, and never written through a link.</summary>
/// <remarks>The umask is the whole process's: this class and LibCTests, which also sets it, never run at the same time.</remarks>
[Collection("process umask")]
public sealed class RecordFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("record-file-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_new_file_is_0600_even_with_umask_0()
    {
        var path = Path.Combine(_dir, "rec.1");
        var old = LibC.Umask(0);
        try
        {
            using var file = RecordFile.Open(path);
            file.Write("x"u8);
        }
        finally
        {
            LibC.Umask(old);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("x", File.ReadAllText(path));
    }

    [Fact]
    public void An_existing_file_is_truncated_and_made_0600()
    {
        var path = Path.Combine(_dir, "rec.2");
        File.WriteAllText(path, "an old, longer recording");
        File.SetUnixFileMode(path, (UnixFileMode)0x1B6); // 0666

        using (var file = RecordFile.Open(path))
        {
            file.Write("new"u8);
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void A_symbolic_link_or_a_directory_is_refused()
    {
        var victim = Path.Combine(_dir, "victim");
        File.WriteAllText(victim, "keep");
        var link = Path.Combine(_dir, "rec.3");
        File.CreateSymbolicLink(link, victim);

        Assert.Equal("it is a symbolic link", Assert.Throws<IOException>(() => RecordFile.Open(link)).Message);
        Assert.Equal("keep", File.ReadAllText(victim));
        Assert.ThrowsAny<IOException>(() => RecordFile.Open(_dir));
    }
}
