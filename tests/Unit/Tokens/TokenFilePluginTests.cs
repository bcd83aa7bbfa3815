using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Websockify.Cli;
using Websockify.Hosting;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class TokenFilePluginTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("tokens-").FullName;
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ITokenSource Open(string plugin, string source) =>
        TokenPlugins.Find(plugin).Parse(source, _dir)(new TokenSourceContext(_time, NullLogger.Instance));

    private static async Task<TokenLookup> LookupAsync(ITokenSource source, string token) => await source.LookupAsync(token, CancellationToken.None);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task Token_file_sees_an_edit_within_the_check_interval_without_a_restart()
    {
        var file = Write("tokens.cfg", "desk1: 10.0.0.1:5901\n");
        var source = Open("TokenFile", "tokens.cfg"); // relative to the working directory
        Assert.Equal(5901, (await LookupAsync(source, "desk1")).Target!.Port);

        File.WriteAllText(file, "desk1: 10.0.0.1:5999\ndesk2: 10.0.0.2:5902\n");
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "desk2")).Outcome); // not checked again yet
        _time.Advance(TokenFile.CheckInterval);
        Assert.Equal(5999, (await LookupAsync(source, "desk1")).Target!.Port);
        Assert.Equal(5902, (await LookupAsync(source, "desk2")).Target!.Port);
    }

    [Fact]
    public async Task Token_file_keeps_its_table_when_the_file_goes_away()
    {
        var file = Write("tokens.cfg", "desk1: 10.0.0.1:5901\n");
        var source = Open("TokenFile", file);
        File.Delete(file);
        _time.Advance(TokenFile.CheckInterval);
        Assert.Equal(TokenOutcome.Found, (await LookupAsync(source, "desk1")).Outcome);
        File.WriteAllText(file, "desk2: 10.0.0.2:5902\n");
        _time.Advance(TokenFile.CheckInterval);
        Assert.Equal(TokenOutcome.Found, (await LookupAsync(source, "desk2")).Outcome);
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "desk1")).Outcome);
    }

    [Fact]
    public void A_directory_of_files_is_merged_in_name_order_sub_directories_and_dangling_links_ignored()
    {
        Write("d/a.cfg", "one: h:1\nshared: h:10\n");
        Write("d/b.cfg", "two: h:2\nshared: h:20\n");
        Write("d/sub/c.cfg", "three: h:3\n");
        File.CreateSymbolicLink(Path.Combine(_dir, "d", "dangling.cfg"), Path.Combine(_dir, "nowhere"));
        var set = new TokenFileSet(Path.Combine(_dir, "d"), NullLogger.Instance);
        Assert.Null(set.Refresh());
        Assert.Equal(["one", "shared", "two"], set.Table.Keys.Order());
        Assert.Equal(20, set.Table["shared"].Port);
        var before = set.Table;
        set.Refresh();
        Assert.Same(before, set.Table); // the entry that is not a file does not count as a change each time
    }

    [Fact]
    public void Only_changed_files_are_read_again_and_an_unchanged_set_keeps_its_table()
    {
        for (var i = 0; i < 20; i++)
        {
            Write($"d/{i:D2}.cfg", $"t{i}: h:{i + 1}\n");
        }

        var set = new TokenFileSet(Path.Combine(_dir, "d"), NullLogger.Instance);
        set.Refresh();
        var before = set.Table;
        set.Refresh();
        Assert.Same(before, set.Table);

        Write("d/07.cfg", "t7: h:777\n");
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "d/07.cfg"), DateTime.UtcNow.AddSeconds(5)); // a distinct stamp even on a coarse clock
        set.Refresh();
        Assert.NotSame(before, set.Table);
        Assert.Equal(777, set.Table["t7"].Port);
        Assert.Equal(20, set.Table.Count);

        File.Delete(Path.Combine(_dir, "d/03.cfg"));
        set.Refresh();
        Assert.False(set.Table.ContainsKey("t3"));
    }

    [Fact]
    public void An_empty_directory_has_no_tokens_and_a_missing_source_stops_start_up()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));
        var set = new TokenFileSet(Path.Combine(_dir, "empty"), NullLogger.Instance);
        Assert.Null(set.Refresh());
        Assert.Empty(set.Table);
        Assert.Contains("cannot read", Assert.Throws<TokenSourceException>(() => Open("TokenFile", "missing.cfg")).Message);
        Assert.Throws<CliUsageException>(() => TokenPlugins.Find("TokenFile").Parse(null, _dir));
    }

    [Fact]
    public async Task Read_only_token_file_changes_only_on_reload_and_a_broken_reload_keeps_the_table()
    {
        var file = Write("tokens.cfg", "desk1: h:1\n");
        var source = Open("ReadOnlyTokenFile", file);
        File.WriteAllText(file, "desk2: h:2\n");
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TokenOutcome.Found, (await LookupAsync(source, "desk1")).Outcome);
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "desk2")).Outcome);

        ((IReloadable)source).Reload(NullLogger.Instance);
        Assert.Equal(TokenOutcome.Found, (await LookupAsync(source, "desk2")).Outcome);

        File.Delete(file);
        Directory.CreateDirectory(file); // now a directory with no files: readable, so it would empty the table
        File.WriteAllBytes(Path.Combine(file, "bad.cfg"), [0xff, 0xfe]);
        ((IReloadable)source).Reload(NullLogger.Instance);
        Assert.Equal(TokenOutcome.Found, (await LookupAsync(source, "desk2")).Outcome); // not UTF-8: the old table stays
    }

    [Fact]
    public async Task Token_file_name_reads_the_target_from_the_file_named_by_the_token()
    {
        Write("names/desk1", "10.0.0.1:5901\n");
        Write("names/desk6", "::1:5906");
        Write("names/desk7", "not a target");
        Write("outside/secret", "10.9.9.9:22");
        File.CreateSymbolicLink(Path.Combine(_dir, "names", "escape"), Path.Combine(_dir, "outside", "secret"));
        var source = Open("TokenFileName", Path.Combine(_dir, "names"));

        Assert.Equal(5901, (await LookupAsync(source, "desk1")).Target!.Port);
        Assert.Equal("::1", (await LookupAsync(source, "desk6")).Target!.Host);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "desk7")).Outcome);
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "desk9")).Outcome);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "../outside/secret")).Outcome);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "..")).Outcome);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "escape")).Outcome);
        Assert.Throws<TokenSourceException>(() => Open("TokenFileName", Path.Combine(_dir, "no-such-dir")));
    }

    [Fact]
    public async Task Unix_domain_socket_directory_finds_sockets_inside_it_only()
    {
        var socks = Directory.CreateDirectory(Path.Combine(_dir, "socks")).FullName;
        var sibling = Directory.CreateDirectory(Path.Combine(_dir, "socks2")).FullName; // upstream's prefix check lets this through
        using var inside = Listen(Path.Combine(socks, "desk1.sock"));
        using var outside = Listen(Path.Combine(sibling, "secret.sock"));
        Write("socks/plain", "not a socket");
        File.CreateSymbolicLink(Path.Combine(socks, "link.sock"), Path.Combine(sibling, "secret.sock"));
        var source = Open("UnixDomainSocketDirectory", socks);

        Assert.Equal(Path.Combine(socks, "desk1.sock"), (await LookupAsync(source, "desk1.sock")).Target!.UnixPath);
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "plain")).Outcome);
        Assert.Equal(TokenOutcome.Unknown, (await LookupAsync(source, "nothing.sock")).Outcome);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "../socks2/secret.sock")).Outcome);
        Assert.Equal(TokenOutcome.Invalid, (await LookupAsync(source, "link.sock")).Outcome);
    }

    private static Socket Listen(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        socket.Listen(1);
        return socket;
    }
}
