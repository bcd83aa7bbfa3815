using System.Globalization;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Websockify.Tests.Fuzz;

/// <summary>
/// A short, fixed afl-fuzz run of each target (tests/Fuzz/fuzz.sh) from its seed corpus: no crash, no
/// hang, and afl really executed inputs. Six targets at 17 s each plus the instrumented build keep
/// make test's share under three minutes; make fuzz is the long run.
/// </summary>
public sealed partial class AflBudgetTests(InstrumentedBuild build, ITestOutputHelper output) : IClassFixture<InstrumentedBuild>
{
    private const int Seconds = 17;

    [Fact]
    public void Http_head_fuzzes_clean() => Fuzz("http-head");

    [Fact]
    public void Frames_fuzz_clean() => Fuzz("frames");

    [Fact]
    public void Base64_fuzzes_clean() => Fuzz("base64");

    [Fact]
    public void Token_file_fuzzes_clean() => Fuzz("token-file");

    [Fact]
    public void Cli_fuzzes_clean() => Fuzz("cli");

    [Fact]
    public void Proxy_header_fuzzes_clean() => Fuzz("proxy-header");

    private void Fuzz(string target)
    {
        var environment = new Dictionary<string, string>
        {
            ["FUZZ_APP"] = build.App,
            ["FUZZ_OUT"] = Path.Combine(build.Scratch, target),
        };
        var (status, text) = Script.Run("tests/Fuzz/fuzz.sh", [target, Seconds.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(Seconds + 90), environment);
        output.WriteLine($"(instrumented build: {build.PrepareTime.TotalSeconds:F0} s, shared by the targets)");
        output.WriteLine(text.Trim());
        Assert.True(status == 0, $"fuzz.sh {target} exited {status}:\n{text}");
        var summary = Summary().Match(text);
        Assert.True(summary.Success, "no summary line from fuzz.sh:\n" + text);
        Assert.True(long.Parse(summary.Groups["execs"].Value, CultureInfo.InvariantCulture) > 0, "afl ran no inputs");
        Assert.Equal("0", summary.Groups["crashes"].Value);
        Assert.Equal("0", summary.Groups["hangs"].Value);
    }

    [GeneratedRegex(@"fuzz \S+: (?<execs>\d+) executions .*, (?<crashes>\d+) crashes, (?<hangs>\d+) hangs")]
    private static partial Regex Summary();
}
