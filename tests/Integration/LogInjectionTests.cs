using System.Diagnostics;
using System.Text.RegularExpressions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// Client strings reach the log (close reasons, request targets, header values): through the real
/// binary, none of them may start a line of its own or put a raw control character on the terminal.
/// </summary>
public sealed partial class LogInjectionTests
{
    private const string ForgingReason = "bye\n<0>FORGED\x1b[31m";
    private const string EscapedReason = @"bye\n<0>FORGED\x1b[31m";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_close_reason_cannot_forge_a_line_on_stderr_or_in_the_log_file()
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"websockify-injection-{Guid.NewGuid():N}.log");
        await using var target = TcpTarget.Echo();
        try
        {
            await using (var daemon = await DaemonProcess.StartAsync(["-v", "--log-file", logFile, "127.0.0.1:0", target.Address]))
            {
                await CloseWithForgingReasonAsync(daemon.Port);
                var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: ClientClosed (1000 ", StringComparison.Ordinal), Timeout);
                Assert.Contains($"(1000 {EscapedReason})", ended);
                Assert.All(daemon.Lines, l => Assert.Matches(TimestampedLine(), l));
                Assert.DoesNotContain(daemon.Lines, l => l.Contains('\x1b', StringComparison.Ordinal));
            }

            var bytes = await File.ReadAllBytesAsync(logFile);
            Assert.DoesNotContain((byte)0x1b, bytes);
            var lines = (await File.ReadAllLinesAsync(logFile)).Where(l => l.Length > 0).ToList();
            Assert.All(lines, l => Assert.Matches(TimestampedLine(), l));
            Assert.Contains(lines, l => l.Contains($"(1000 {EscapedReason})", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(logFile);
        }
    }

    [Fact]
    public async Task A_close_reason_cannot_forge_an_emergency_entry_in_the_journal()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await JournalStderrDaemon.StartAsync(["127.0.0.1:0", target.Address]);
        try
        {
            var listen = await WaitForFileLineAsync(daemon.StderrFile, l => ListenLine().IsMatch(l));
            await CloseWithForgingReasonAsync(int.Parse(ListenLine().Match(listen).Groups[1].Value));
            await WaitForFileLineAsync(daemon.StderrFile, l => l.Contains("session ended", StringComparison.Ordinal));
        }
        finally
        {
            await daemon.StopAsync();
        }

        var text = await File.ReadAllTextAsync(daemon.StderrFile);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain('\x1b', text);
        Assert.All(lines, l => Assert.Matches(@"^<[0-7]>", l));
        Assert.DoesNotContain(lines, l => l.StartsWith("<0>", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("<6>", StringComparison.Ordinal) && l.Contains($"(1000 {EscapedReason})", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refused_version_and_a_path_are_logged_with_their_controls_escaped()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);

        // U+009B is CSI as one C1 byte (obs-text, allowed in a header value); a literal backslash-n in
        // the path must not read like an escaped newline.
        var request = RawWebSocketClient.UpgradeRequest(daemon.Port, path: @"/a\n<0>")
            .Replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 1\t3\u009b31m", StringComparison.Ordinal);
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port, request))
        {
            Assert.Equal(426, client.StatusCode);
        }

        var refused = await daemon.WaitForLineAsync(l => l.Contains("request refused, 426", StringComparison.Ordinal), Timeout);
        Assert.EndsWith(@"Unsupported WebSocket version '1\t3\u009b31m'", refused);
        Assert.DoesNotContain(daemon.Lines, l => l.Any(c => c < ' ' || c is >= '\x7f' and <= '\x9f'));
    }

    private static async Task CloseWithForgingReasonAsync(int port)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        Assert.Equal(101, client.StatusCode);
        await client.SendAsync(RawFrame.CloseFrame(1000, ForgingReason));
        var (close, _) = await client.ReadUntilCloseAsync();
        Assert.Equal(1000, close?.CloseCode);
    }

    private static async Task<string> WaitForFileLineAsync(string path, Func<string, bool> predicate)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var match = (await File.ReadAllLinesAsync(path)).FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"no matching line in {path}:\n{await File.ReadAllTextAsync(path)}");
            }

            await Task.Delay(20);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [A-Z]+ ")]
    private static partial Regex TimestampedLine();

    [GeneratedRegex(@"- Listen on .*:(\d+)$")]
    private static partial Regex ListenLine();
}
