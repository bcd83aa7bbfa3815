using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary><c>--web</c> and <c>--file-only</c> against the real binary.</summary>
public static partial class WebTests
{
    /// <summary>Files, indexes, listings, redirects, validators and keep-alive.</summary>
    public sealed class Serving : WebSite
    {
        [Fact]
        public async Task Get_serves_a_file_with_its_type_length_and_validators()
        {
            var daemon = await StartAsync();
            var page = await GetAsync(daemon, "/vnc.html");
            Assert.Equal(200, page.Status);
            Assert.Equal("<!DOCTYPE html><title>noVNC</title>", page.Text);
            Assert.Equal("text/html; charset=utf-8", page["Content-Type"]);
            Assert.Equal(page.Body.Length.ToString(), page["Content-Length"]);
            Assert.Matches("^\"[0-9a-f]+-[0-9a-f]+\"$", page["ETag"]);
            Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(Root, "vnc.html")).ToString("r"), page["Last-Modified"]);
            Assert.Equal("nosniff", page["X-Content-Type-Options"]);
            Assert.Null(page["Cache-Control"]);

            var module = await GetAsync(daemon, "/app/ui.js?v=3");
            Assert.Equal("text/javascript; charset=utf-8", module["Content-Type"]);
            Assert.Equal("image/svg+xml", (await GetAsync(daemon, "/app/images/logo.svg"))["Content-Type"]);
            Assert.Equal("no-cache", (await GetAsync(daemon, "/defaults.json"))["Cache-Control"]);
            Assert.Equal(404, (await GetAsync(daemon, "/mandatory.json")).Status);
            await daemon.WaitForLineAsync(l => l.EndsWith("\"GET /vnc.html HTTP/1.1\" 200", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task Head_answers_the_same_head_without_a_body()
        {
            var daemon = await StartAsync();
            await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
            var head = await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html", "HEAD"));
            // Were a body sent after the HEAD answer, it would be read here as the next response's head.
            var get = await connection.ExchangeAsync(RawHttpConnection.Get("/app/ui.js"));
            Assert.Equal(200, head.Status);
            Assert.Equal("35", head["Content-Length"]);
            Assert.Equal("export const ui = 1;\n", get.Text);
        }

        [Fact]
        public async Task Directories_serve_index_html_then_index_htm_then_a_listing()
        {
            Write("app/x&<y>.txt", "");
            var daemon = await StartAsync();
            Assert.Equal("htm index", (await GetAsync(daemon, "/withindex/")).Text);
            Write("withindex/index.html", "html index");
            Assert.Equal("html index", (await GetAsync(daemon, "/withindex/")).Text);

            var listing = await GetAsync(daemon, "/app/");
            Assert.Equal(200, listing.Status);
            Assert.Equal("text/html; charset=utf-8", listing["Content-Type"]);
            Assert.Contains("Directory listing for /app/", listing.Text);
            Assert.Contains("<a href=\"./images/\">images/</a>", listing.Text);
            Assert.Contains("<a href=\"./x%26%3Cy%3E.txt\">x&amp;&lt;y&gt;.txt</a>", listing.Text);
            Assert.Contains("<a href=\"./vnc.html\">", (await GetAsync(daemon, "/")).Text);
        }

        [Fact]
        public async Task File_only_refuses_listings_but_still_serves_indexes()
        {
            var daemon = await StartAsync("--file-only");
            Assert.Equal(404, (await GetAsync(daemon, "/")).Status);
            Assert.Equal(404, (await GetAsync(daemon, "/app/")).Status);
            Assert.Equal("htm index", (await GetAsync(daemon, "/withindex/")).Text);
            Assert.Equal(200, (await GetAsync(daemon, "/vnc.html")).Status);
        }

        [Fact]
        public async Task A_directory_without_its_slash_is_redirected_with_the_query_kept()
        {
            var daemon = await StartAsync("--file-only");
            var redirect = await GetAsync(daemon, "/app?x=1&y=%2F");
            Assert.Equal(301, redirect.Status);
            Assert.Equal("/app/?x=1&y=%2F", redirect["Location"]);
            Assert.Equal("/app/images/", (await GetAsync(daemon, "//app//images"))["Location"]);
            Assert.Equal(404, (await GetAsync(daemon, "/vnc.html/")).Status); // a file is not a directory
        }

        [Fact]
        public async Task Validators_answer_304_and_the_log_says_so()
        {
            var daemon = await StartAsync();
            var first = await GetAsync(daemon, "/vnc.html");
            var byTag = await GetAsync(daemon, "/vnc.html", extra: $"If-None-Match: {first["ETag"]}\r\n");
            Assert.Equal(304, byTag.Status);
            Assert.Equal(first["ETag"], byTag["ETag"]);
            var byDate = await GetAsync(daemon, "/vnc.html", extra: $"If-Modified-Since: {first["Last-Modified"]}\r\n");
            Assert.Equal(304, byDate.Status);
            var stale = await GetAsync(daemon, "/vnc.html", extra: "If-None-Match: \"stale\"\r\n" + $"If-Modified-Since: {first["Last-Modified"]}\r\n");
            Assert.Equal(200, stale.Status);

            File.WriteAllText(Path.Combine(Root, "vnc.html"), "changed, longer than before");
            var changed = await GetAsync(daemon, "/vnc.html", extra: $"If-None-Match: {first["ETag"]}\r\n");
            Assert.Equal(200, changed.Status);
            Assert.Equal("changed, longer than before", changed.Text);
            await daemon.WaitForLineAsync(l => l.EndsWith("\"GET /vnc.html HTTP/1.1\" 304", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }

        [Fact]
        public async Task Http11_keeps_the_connection_and_http10_or_connection_close_end_it()
        {
            var daemon = await StartAsync();
            await using (var connection = await RawHttpConnection.OpenAsync(daemon.Port))
            {
                // Two requests sent at once (pipelined), then a third after the answers: one connection.
                await connection.SendAsync(RawHttpConnection.Get("/vnc.html") + RawHttpConnection.Get("/missing"));
                Assert.Equal(200, (await connection.ReadResponseAsync()).Status);
                var missing = await connection.ReadResponseAsync();
                Assert.Equal(404, missing.Status);
                Assert.Null(missing["Connection"]);
                var last = await connection.ExchangeAsync(RawHttpConnection.Get("/app/ui.js", extra: "Connection: close\r\n"));
                Assert.Equal("close", last["Connection"]);
                Assert.True(await connection.WaitForEndAsync(TimeSpan.FromSeconds(5)));
            }

            await using var old = await RawHttpConnection.OpenAsync(daemon.Port);
            var answer = await old.ExchangeAsync(RawHttpConnection.Get("/vnc.html", version: "HTTP/1.0"));
            Assert.Equal(200, answer.Status);
            Assert.Equal("close", answer["Connection"]);
            Assert.True(await old.WaitForEndAsync(TimeSpan.FromSeconds(5)));
        }

        [Fact]
        public async Task Other_methods_get_405_naming_get_and_head()
        {
            var daemon = await StartAsync();
            foreach (var method in new[] { "POST", "PUT", "DELETE", "OPTIONS", "TRACE", "get" })
            {
                await using var connection = await RawHttpConnection.OpenAsync(daemon.Port);
                var answer = await connection.ExchangeAsync(RawHttpConnection.Get("/vnc.html", method, extra: "Content-Length: 0\r\n"));
                Assert.Equal(405, answer.Status);
                Assert.Equal("GET, HEAD", answer["Allow"]);
                Assert.True(await connection.WaitForEndAsync(TimeSpan.FromSeconds(5)));
            }
        }
    }
}
