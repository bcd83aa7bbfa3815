using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>The man page is well-formed and documents every option the binary accepts.</summary>
public sealed partial class ManPageTests
{
    private static readonly string ManPage = Path.Combine(RepositoryPaths.Root, "man", "websockify.1");

    [Fact]
    public async Task Groff_finds_nothing_to_warn_about()
    {
        var result = await Cli.Wrap("groff").WithArguments(["-man", "-ww", "-z", ManPage]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.Equal("", result.StandardOutput + result.StandardError);
        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Every_option_in_help_is_in_the_man_page()
    {
        var (exit, help, _) = await DaemonProcess.RunAsync("--help");
        Assert.Equal(0, exit);
        var options = LongOption().Matches(help).Select(m => m.Value).Distinct().ToList();
        Assert.True(options.Count > 30, $"only {options.Count} options found in --help");

        // groff escapes hyphens as \- in the source.
        var page = (await File.ReadAllTextAsync(ManPage)).Replace("\\-", "-", StringComparison.Ordinal);
        var missing = options.Where(o => !page.Contains(o, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "not in the man page: " + string.Join(", ", missing));
    }

    [GeneratedRegex(@"--[a-z][a-z0-9-]+")]
    private static partial Regex LongOption();
}
