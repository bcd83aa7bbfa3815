using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary><c>--syslog</c> through the real binary: the datagrams byte by byte, and a server that is not there.</summary>
public sealed partial class SyslogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static string Hostname => new(Dns.GetHostName().Where(c => c is > ' ' and <= '~').ToArray());

    private static async Task EchoSessionAsync(int port)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port);
        await client.AssertEchoAsync("12345");
        await client.SendAsync(RawFrame.CloseFrame(1000));
        await client.ReadUntilCloseAsync();
    }

    /// <summary>The RFC 5424 header's variable parts checked, and the message (after the header) returned.</summary>
    private static string Rfc5424Message(byte[] datagram, int priority, int pid)
    {
        var text = Encoding.ASCII.GetString(datagram);
        var match = Rfc5424().Match(text);
        Assert.True(match.Success, text);
        Assert.Equal(priority.ToString(), match.Groups["pri"].Value);
        var time = DateTime.ParseExact(match.Groups["time"].Value, "yyyy-MM-dd'T'HH:mm:ss'Z'", null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(time, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
        Assert.Equal(Hostname, match.Groups["host"].Value);
        Assert.Equal(pid.ToString(), match.Groups["pid"].Value);
        return match.Groups["msg"].Value;
    }

    [Theory]
    [InlineData("udp")]
    [InlineData("unix")]
    public async Task Banner_and_session_lines_arrive_as_rfc5424_datagrams_with_facility_user(string transport)
    {
        using var syslog = transport == "udp" ? SyslogListener.Udp() : SyslogListener.Unix();
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--syslog", syslog.Address, "127.0.0.1:0", target.Address]);
        await EchoSessionAsync(daemon.Port);

        var datagrams = await syslog.ReceiveUntilAsync(d => d.Contains("session ended", StringComparison.Ordinal), Timeout);
        var messages = datagrams.Select(d => Rfc5424Message(d, 14, daemon.Pid)).ToList(); // user.info = 1 * 8 + 6
        Assert.Equal(
            ["WebSocket server settings:", $"  - Listen on 127.0.0.1:{daemon.Port}", "  - No SSL/TLS support (no cert file)", $"  - proxying from 127.0.0.1:{daemon.Port} to {target.Address}"],
            messages.Take(4));
        Assert.Contains(messages, m => m.EndsWith($"connecting to: {target.Address}", StringComparison.Ordinal));
        Assert.Contains("5 bytes to target, 5 bytes to client", messages[^1]);

        // The same lines still go to stderr.
        await daemon.WaitForLineAsync(l => l.EndsWith($"  - proxying from 127.0.0.1:{daemon.Port} to {target.Address}", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe
        await daemon.WaitForLineAsync(l => l.Contains("session ended", StringComparison.Ordinal), Timeout);
    }

    [Fact]
    public async Task Legacy_syslog_under_D_is_bsd_framing_with_facility_daemon_and_the_daemons_pid()
    {
        using var syslog = SyslogListener.Unix();
        await using var target = TcpTarget.Echo();
        var port = TcpTarget.UnusedPort();
        var pidFile = Path.Combine(Path.GetTempPath(), $"websockify-{Guid.NewGuid():N}.pid");
        var (exit, _, stderr) = await DaemonProcess.RunAsync("-D", "--pid-file", pidFile, "--legacy-syslog", "--syslog", syslog.Address, $"127.0.0.1:{port}", target.Address);
        Assert.True(exit == 0, stderr);
        var pid = int.Parse((await File.ReadAllTextAsync(pidFile)).Trim());
        try
        {
            var datagrams = await syslog.ReceiveUntilAsync(d => d.Contains("proxying from", StringComparison.Ordinal), Timeout);
            Assert.Equal(
                [
                    $"<30>websockify[{pid}]: WebSocket server settings:", // daemon.info = 3 * 8 + 6
                    $"<30>websockify[{pid}]:   - Listen on 127.0.0.1:{port}",
                    $"<30>websockify[{pid}]:   - No SSL/TLS support (no cert file)",
                    $"<30>websockify[{pid}]:   - Backgrounding (daemon)",
                    $"<30>websockify[{pid}]:   - proxying from 127.0.0.1:{port} to {target.Address}",
                ],
                datagrams.Select(Encoding.ASCII.GetString));
        }
        finally
        {
            Signals.Send(pid, Signals.SIGTERM);
            for (var i = 0; i < 200 && Directory.Exists($"/proc/{pid}"); i++)
            {
                await Task.Delay(50);
            }
        }

        // Its last line, on SIGTERM.
        var stopping = await syslog.ReceiveUntilAsync(d => d.Contains("Stopping (SIGTERM)", StringComparison.Ordinal), Timeout);
        Assert.StartsWith($"<30>websockify[{pid}]: Stopping (SIGTERM): ", Assert.Single(stopping.Select(Encoding.ASCII.GetString), d => d.Contains("Stopping", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("unix")]
    [InlineData("udp")]
    public async Task An_absent_syslog_server_neither_stops_sessions_nor_floods_stderr(string transport)
    {
        var directory = Directory.CreateTempSubdirectory("ws-syslog-").FullName;
        try
        {
            var server = transport == "unix" ? Path.Combine(directory, "nobody") : $"127.0.0.1:{SyslogListener.UnusedUdpPort()}";
            await using var target = TcpTarget.Echo();
            await using var daemon = await DaemonProcess.StartAsync(["--syslog", server, "127.0.0.1:0", target.Address]);
            for (var i = 0; i < 3; i++)
            {
                await EchoSessionAsync(daemon.Port);
            }

            var deadline = DateTime.UtcNow + Timeout;
            while (daemon.Lines.Count(l => l.Contains("session ended", StringComparison.Ordinal)) < 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            var outage = await daemon.WaitForLineAsync(l => l.Contains("is not accepting log lines", StringComparison.Ordinal), Timeout);
            Assert.Contains($"WARNING syslog server {server} is not accepting log lines ({(transport == "unix" ? "No such file or directory" : "Connection refused")}); ", outage);
            Assert.Single(daemon.Lines, l => l.Contains("is not accepting log lines", StringComparison.Ordinal));
            Assert.Equal(3, daemon.Lines.Count(l => l.Contains("session ended", StringComparison.Ordinal)));
            Assert.False(daemon.HasExited);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData("You must use --syslog to use --legacy-syslog", "--legacy-syslog")]
    [InlineData("Error parsing syslog port", "--syslog", "localhost:syslog")]
    [InlineData("Error parsing syslog port", "--syslog=[::1]:70000")]
    public async Task Bad_syslog_options_are_usage_errors(string message, params string[] options)
    {
        var (exit, _, stderr) = await DaemonProcess.RunAsync([.. options, "127.0.0.1:0", "127.0.0.1:1"]);
        Assert.Equal(2, exit);
        Assert.Contains($"websockify: error: {message}", stderr);
    }

    [GeneratedRegex(@"^<(?<pri>\d{1,3})>1 (?<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (?<host>[!-~]{1,255}) websockify (?<pid>\d+) - - (?<msg>.*)$", RegexOptions.Singleline)]
    private static partial Regex Rfc5424();
}
