using Websockify.Fuzz;
using Websockify.Tests.Integration.Infrastructure;
using Xunit.Abstractions;

namespace Websockify.Tests.Fuzz;

/// <summary>
/// Every committed corpus file through its target in-process, on the normal (uninstrumented) build: the
/// seeds and every input a fuzz run ever failed on stay passing.
/// </summary>
public sealed class CorpusReplayTests(ITestOutputHelper output)
{
    [Fact]
    public void Http_head_corpus_replays_clean() => Replay("http-head");

    [Fact]
    public void Frames_corpus_replays_clean() => Replay("frames");

    [Fact]
    public void Base64_corpus_replays_clean() => Replay("base64");

    [Fact]
    public void Token_file_corpus_replays_clean() => Replay("token-file");

    [Fact]
    public void Cli_corpus_replays_clean() => Replay("cli");

    [Fact]
    public void Proxy_header_corpus_replays_clean() => Replay("proxy-header");

    [Fact]
    public void Every_target_has_a_corpus_test() =>
        Assert.Equal(["base64", "cli", "frames", "http-head", "proxy-header", "token-file"], FuzzTargets.All.Select(t => t.Name).Order());

    private void Replay(string name)
    {
        var target = FuzzTargets.Find(name) ?? throw new InvalidOperationException("no target " + name);
        var (files, failures) = CorpusReplay.Run(target, Path.Combine(RepositoryPaths.Root, "tests", "Fuzz", "corpus", name));
        output.WriteLine($"{name}: {files} corpus files replayed");
        Assert.True(files > 0, "the corpus is empty");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f => $"{Path.GetFileName(f.File)}: {f.Error}")));
    }
}
