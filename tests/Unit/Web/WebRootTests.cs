using System.Diagnostics;
using System.Net.Sockets;
using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>Lookups against a real directory tree: symbolic links out of the root, special files, indexes.</summary>
public sealed class WebRootTests : IDisposable
{
    private readonly DirectoryInfo _top = Directory.CreateTempSubdirectory("webroot-tests-");
    private readonly string _root;
    private readonly string _outside;

    public WebRootTests()
    {
        _root = Directory.CreateDirectory(Path.Combine(_top.FullName, "root")).FullName;
        _outside = Directory.CreateDirectory(Path.Combine(_top.FullName, "outside")).FullName;
        File.WriteAllText(Path.Combine(_outside, "secret.txt"), "secret");
        File.WriteAllText(Path.Combine(_root, "vnc.html"), "<html>");
        Directory.CreateDirectory(Path.Combine(_root, "app"));
        File.WriteAllText(Path.Combine(_root, "app", "ui.js"), "js");
    }

    public void Dispose() => _top.Delete(recursive: true);

    private WebRoot Root(bool fileOnly = false) => WebRoot.Open(new WebSettings(_root, fileOnly));

    private WebLookup Find(string relative)
    {
        var found = Root().Find(relative);
        found.File?.Dispose();
        return found;
    }

    [Fact]
    public void Files_and_directories_under_the_root_are_found()
    {
        var file = Root().Find("app/ui.js");
        using (file.File)
        {
            Assert.Equal(WebLookupKind.File, file.Kind);
            Assert.Equal(2, file.File!.Status.Size);
        }

        Assert.Equal(WebLookupKind.Directory, Find("app").Kind);
        Assert.Equal(WebLookupKind.Directory, Find("").Kind);
        Assert.Equal(WebLookupKind.NotFound, Find("missing.js").Kind);
        Assert.Equal(WebLookupKind.NotFound, Find("vnc.html/x").Kind);
    }

    [Fact]
    public void A_symlink_to_a_file_outside_is_not_found()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "leak.txt"), Path.Combine(_outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(_root, "relative.txt"), "../outside/secret.txt");
        File.CreateSymbolicLink(Path.Combine(_root, "passwd"), "/etc/passwd");
        foreach (var name in new[] { "leak.txt", "relative.txt", "passwd" })
        {
            var found = Find(name);
            Assert.Equal(WebLookupKind.NotFound, found.Kind);
            Assert.True(found.OutsideRoot, name);
        }
    }

    [Fact]
    public void A_symlinked_directory_outside_is_not_a_way_out()
    {
        Directory.CreateSymbolicLink(Path.Combine(_root, "out"), _outside);
        Assert.Equal(WebLookupKind.NotFound, Find("out/secret.txt").Kind);
        Assert.Equal(WebLookupKind.NotFound, Find("out").Kind);
    }

    [Fact]
    public void Symlinks_that_stay_inside_are_followed()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "index.html"), "vnc.html");
        Directory.CreateSymbolicLink(Path.Combine(_root, "ui"), "app");
        var found = Root().Find("ui/ui.js");
        using (found.File)
        {
            Assert.Equal(WebLookupKind.File, found.Kind);
            Assert.Equal(Path.Combine(_root, "app", "ui.js"), found.RealPath);
        }

        Assert.Equal(WebLookupKind.File, Find("index.html").Kind);
    }

    [Fact]
    public void A_root_reached_through_a_symlink_still_confines()
    {
        var link = Path.Combine(_top.FullName, "link-to-root");
        Directory.CreateSymbolicLink(link, _root);
        var root = WebRoot.Open(new WebSettings(link, false));
        Assert.Equal(_root, root.RealPath);
        using var found = root.Find("vnc.html").File;
        Assert.NotNull(found);
        Assert.False(root.Contains(_outside));
        Assert.False(root.Contains(_root + "-other/x")); // a sibling sharing the prefix is not inside
    }

    [Fact]
    public async Task A_fifo_is_forbidden_and_does_not_block()
    {
        var fifo = Path.Combine(_root, "pipe.js");
        using (var mkfifo = Process.Start("mkfifo", [fifo]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var lookup = await Task.Run(() => Find("pipe.js")).WaitAsync(TimeSpan.FromSeconds(5)); // a TimeoutException if it blocked
        Assert.Equal(WebLookupKind.Forbidden, lookup.Kind);
    }

    [Fact]
    public void A_unix_socket_is_forbidden()
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(_root, "s.sock")));
        Assert.Equal(WebLookupKind.Forbidden, Find("s.sock").Kind);
    }

    [Fact]
    public void Index_html_comes_before_index_htm_and_a_directory_index_does_not_count()
    {
        var app = Path.Combine(_root, "app");
        Assert.Equal(WebLookupKind.NotFound, Root().FindIndex(app).Kind);
        File.WriteAllText(Path.Combine(app, "index.htm"), "htm");
        Assert.EndsWith("/index.htm", Root().FindIndex(app).RealPath);
        File.WriteAllText(Path.Combine(app, "index.html"), "html");
        var index = Root().FindIndex(app);
        index.File?.Dispose();
        Assert.EndsWith("/index.html", index.RealPath);
        Directory.CreateDirectory(Path.Combine(_root, "index.html"));
        Assert.Equal(WebLookupKind.NotFound, Root().FindIndex(_root).Kind);
    }

    [Fact]
    public void A_missing_or_non_directory_root_is_a_start_up_error_naming_it()
    {
        var missing = Path.Combine(_top.FullName, "nope");
        Assert.Equal($"--web {missing}: no such file or directory", Assert.Throws<WebRootException>(() => WebRoot.Open(new WebSettings(missing, false))).Message);
        var file = Path.Combine(_root, "vnc.html");
        Assert.Equal($"--web {file}: not a directory", Assert.Throws<WebRootException>(() => WebRoot.Open(new WebSettings(file, false))).Message);
    }
}
