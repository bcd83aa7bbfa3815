using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

public sealed class MimeTypesTests
{
    [Theory]
    [InlineData("vnc.html", "text/html; charset=utf-8")]
    [InlineData("INDEX.HTM", "text/html; charset=utf-8")]
    [InlineData("ui.js", "text/javascript; charset=utf-8")]
    [InlineData("rfb.mjs", "text/javascript; charset=utf-8")]
    [InlineData("base.css", "text/css; charset=utf-8")]
    [InlineData("defaults.json", "application/json")]
    [InlineData("ui.js.map", "application/json")]
    [InlineData("logo.svg", "image/svg+xml")]
    [InlineData("a.png", "image/png")]
    [InlineData("a.jpg", "image/jpeg")]
    [InlineData("a.JPEG", "image/jpeg")]
    [InlineData("a.gif", "image/gif")]
    [InlineData("favicon.ico", "image/x-icon")]
    [InlineData("inflator.wasm", "application/wasm")]
    [InlineData("f.woff", "font/woff")]
    [InlineData("f.woff2", "font/woff2")]
    [InlineData("LICENSE.txt", "text/plain; charset=utf-8")]
    [InlineData("README", "application/octet-stream")]
    [InlineData("archive.tar.gz", "application/octet-stream")]
    [InlineData("x.php", "application/octet-stream")]
    public void Content_type_follows_the_extension(string name, string type) =>
        Assert.Equal(type, MimeTypes.For(name));
}
