namespace Websockify.Tests.Integration.Infrastructure;

/// <summary>
/// A throwaway web root for one test, with a directory beside it that must never be served, an echo
/// target, and the daemons started on it (stopped by PID when the test ends).
/// </summary>
public abstract class WebSite : IAsyncLifetime
{
    public const string Secret = "TOP-SECRET-OUTSIDE-THE-ROOT";
    private readonly List<DaemonProcess> _daemons = [];
    private DirectoryInfo? _top;
    private TcpTarget? _target;

    internal string Root => Path.Combine(Top, "root");

    internal string Outside => Path.Combine(Top, "outside");

    internal TcpTarget Target => _target ?? throw new InvalidOperationException("not started");

    private string Top => _top?.FullName ?? throw new InvalidOperationException("not started");

    public Task InitializeAsync()
    {
        _top = Directory.CreateTempSubdirectory("websockify-web-");
        _target = TcpTarget.Echo();
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), Secret);
        Write("vnc.html", "<!DOCTYPE html><title>noVNC</title>");
        Write("app/ui.js", "export const ui = 1;\n");
        Write("app/images/logo.svg", "<svg/>");
        Write("defaults.json", "{}\n");
        Write("withindex/index.htm", "htm index");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var daemon in _daemons)
        {
            await daemon.DisposeAsync();
        }

        if (_target is not null)
        {
            await _target.DisposeAsync();
        }

        _top?.Delete(recursive: true);
    }

    /// <summary>Writes a file under the root, creating its directories.</summary>
    internal string Write(string relative, string content)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Starts <c>websockify -v --web ROOT [options] 127.0.0.1:0 TARGET</c>.</summary>
    internal async Task<DaemonProcess> StartAsync(params string[] options)
    {
        var daemon = await DaemonProcess.StartAsync(["-v", "--web", Root, .. options, "127.0.0.1:0", Target.Address]);
        _daemons.Add(daemon);
        return daemon;
    }

    /// <summary>Keeps a daemon started some other way (socket activation) for disposal.</summary>
    internal DaemonProcess Own(DaemonProcess daemon)
    {
        _daemons.Add(daemon);
        return daemon;
    }

    internal static async Task<RawHttpResponse> GetAsync(DaemonProcess daemon, string target, string method = "GET", string extra = "")
    {
        await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
        return await connection.ExchangeAsync(RawHttpConnection.Get(target, method, extra: extra));
    }
}
