using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>Exit codes and messages of the real binary, as scripts and unit files see them.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("Too few arguments")]
    [InlineData("Error parsing target", "6080", "nocolon")]
    [InlineData("no such option: --nope", "--nope", "6080", "h:1")]
    public async Task Usage_errors_exit_2_with_usage_and_message(string message, params string[] args)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("Usage: \n    websockify [options]", stderr);
        Assert.EndsWith($"websockify: error: {message}\n", stderr);
    }

    [Fact]
    public async Task Libserver_exits_2_saying_why()
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync("--libserver", "6080", "h:1");
        Assert.Equal(2, exit);
        Assert.Contains("websockify: error: --libserver selects upstream's Python library server", stderr);
    }

    [Fact]
    public async Task Help_and_version_exit_0()
    {
        var help = await DaemonProcess.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("--ssl-only", help.Stdout);
        var version = await DaemonProcess.RunAsync("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^websockify \d+\.\d+\.\d+ \(websockify-unix\)\n$", version.Stdout);
    }

    [Fact]
    public async Task Port_in_use_exits_1_with_a_clear_message()
    {
        await using var target = TcpTarget.Echo();
        await using var first = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        var (exit, _, stderr) = await DaemonProcess.RunAsync($"127.0.0.1:{first.Port}", target.Address);
        Assert.Equal(1, exit);
        Assert.Contains($"websockify: cannot listen on 127.0.0.1:{first.Port}: Address already in use", stderr);
    }
}
