using System.Globalization;

namespace Websockify.Hosting;

/// <summary><c>--pid-file</c>: written once the daemon listens, removed when it exits (upstream #121).</summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path)
    {
        _path = path;
    }

    public static PidFile Write(string path)
    {
        // Write then rename, so nobody ever reads a half-written file.
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
        return new PidFile(path);
    }

    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }
}
