using System.Diagnostics;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>Log lines as an operator reads them: on a terminal, in a file, in the journal.</summary>
public sealed class LoggingTests
{
    [Fact]
    public async Task Banner_and_session_lines_name_target_and_byte_counts()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["127.0.0.1:0", target.Address]);
        Assert.Contains(daemon.Lines, l => l.EndsWith("WebSocket server settings:", StringComparison.Ordinal));
        await daemon.WaitForLineAsync(l => l.EndsWith($"  - proxying from 127.0.0.1:{daemon.Port} to {target.Address}", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await client.SendAsync(RawFrame.Build(RawFrame.Binary, "12345"u8));
            await client.ReadFrameAsync();
            await client.SendAsync(RawFrame.CloseFrame(1000));
            await client.ReadUntilCloseAsync();
        }

        await daemon.WaitForLineAsync(l => l.Contains($"connecting to: {target.Address}", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        var ended = await daemon.WaitForLineAsync(l => l.Contains("session ended: ClientClosed (1000)", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        Assert.Contains("5 bytes to target, 5 bytes to client", ended);
        Assert.DoesNotContain(daemon.Lines, l => l.Contains("\"GET / HTTP/1.1\" 101", StringComparison.Ordinal)); // per-request lines need -v
    }

    [Fact]
    public async Task Verbose_adds_per_request_lines_and_log_file_gets_a_copy()
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"websockify-test-{Guid.NewGuid():N}.log");
        await using var target = TcpTarget.Echo();
        await using (var daemon = await DaemonProcess.StartAsync(["-v", "--log-file", logFile, "127.0.0.1:0", target.Address]))
        {
            await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
            await daemon.WaitForLineAsync(l => l.Contains("\"GET / HTTP/1.1\" 101", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
        }

        var logged = await File.ReadAllTextAsync(logFile);
        File.Delete(logFile);
        Assert.Contains("WebSocket server settings:", logged);
        Assert.Contains("\"GET / HTTP/1.1\" 101", logged);
    }

    [Fact]
    public async Task Log_file_is_never_opened_through_a_symbolic_link()
    {
        var directory = Directory.CreateTempSubdirectory("websockify-log-").FullName;
        var victim = Path.Combine(directory, "victim");
        var logFile = Path.Combine(directory, "ws.log");
        await File.WriteAllTextAsync(victim, "precious\n");
        File.CreateSymbolicLink(logFile, victim);
        try
        {
            var (exit, _, stderr) = await DaemonProcess.RunAsync("--log-file", logFile, "127.0.0.1:0", "127.0.0.1:1");
            Assert.Equal(1, exit);
            Assert.Contains($"cannot open log file '{logFile}': it is a symbolic link", stderr);
            Assert.Equal("precious\n", await File.ReadAllTextAsync(victim));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Journal_stream_gets_priority_prefixes_and_no_timestamps()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await JournalStderrDaemon.StartAsync(["127.0.0.1:0", target.Address]);
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (!(await File.ReadAllTextAsync(daemon.StderrFile)).Contains("proxying from", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
        finally
        {
            await daemon.StopAsync();
        }

        var lines = (await File.ReadAllLinesAsync(daemon.StderrFile)).Where(l => l.Length > 0).ToList();
        Assert.Contains("<6>WebSocket server settings:", lines);
        Assert.All(lines, l => Assert.Matches(@"^<[0-7]>", l));
    }

    [Fact]
    public async Task Json_format_gives_one_object_per_line_with_the_session_values_and_never_the_token()
    {
        var tokens = Path.Combine(Path.GetTempPath(), $"websockify-test-{Guid.NewGuid():N}.tokens");
        await using var target = TcpTarget.Echo();
        await File.WriteAllTextAsync(tokens, $"secret-desk: {target.Address}\n");
        try
        {
            await using var daemon = await DaemonProcess.StartAsync(["--log-format", "json", "--token-plugin", "TokenFile", "--token-source", tokens, "127.0.0.1:0"]);
            await using (var client = await RawWebSocketClient.ConnectAsync(
                new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, daemon.Port), RawWebSocketClient.UpgradeRequest(daemon.Port, path: "/?token=secret-desk")))
            {
                await client.AssertEchoAsync("12345");
                await client.SendAsync(RawFrame.CloseFrame(1000));
                await client.ReadUntilCloseAsync();
            }

            var ended = await daemon.WaitForLineAsync(l => l.Contains("\"event\":\"SessionEnded\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            using var json = System.Text.Json.JsonDocument.Parse(ended);
            var root = json.RootElement;
            Assert.StartsWith("127.0.0.1:", root.GetProperty("peer").GetString(), StringComparison.Ordinal);
            Assert.Equal(1, root.GetProperty("session").GetInt64());
            Assert.Equal(5, root.GetProperty("bytes_to_target").GetInt64());
            Assert.Equal(5, root.GetProperty("bytes_to_client").GetInt64());
            Assert.Contains("ClientClosed (1000)", root.GetProperty("outcome").GetString(), StringComparison.Ordinal);
            Assert.Equal("info", root.GetProperty("level").GetString());
            Assert.Equal(402, root.GetProperty("event_id").GetInt32());
            var found = await daemon.WaitForLineAsync(l => l.Contains("\"event\":\"TokenFound\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5));
            using var token = System.Text.Json.JsonDocument.Parse(found);
            Assert.Matches("^[0-9a-f]{8,}$", token.RootElement.GetProperty("token").GetString());
            Assert.Contains(target.Address, (await daemon.WaitForLineAsync(l => l.Contains("\"event\":\"Connecting\"", StringComparison.Ordinal), TimeSpan.FromSeconds(5))), StringComparison.Ordinal);

            foreach (var line in daemon.Lines)
            {
                using var each = System.Text.Json.JsonDocument.Parse(line); // every line is one object
                Assert.True(each.RootElement.TryGetProperty("message", out _));
                Assert.DoesNotContain("secret-desk", line, StringComparison.Ordinal);
            }
        }
        finally
        {
            File.Delete(tokens);
        }
    }
}
