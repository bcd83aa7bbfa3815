using System.Text;
using System.Text.Json;
using CliWrap;
using CliWrap.Buffered;
using Websockify.Tests.Integration.Infrastructure;

namespace Websockify.Tests.Integration;

/// <summary>
/// <c>--record</c> and <c>--traffic</c> through the real binary. Recordings are read back the way noVNC's
/// playback page reads them: evaluated as JavaScript (node), each frame split at its marks.
/// </summary>
public sealed class RecordTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("record-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Base => Path.Combine(_dir, "session");

    private sealed record Frame(char Mark, long Milliseconds, byte[] Data);

    /// <summary>Evaluates the file with node and splits each frame as noVNC's playback does; the last one must be 'EOF'.</summary>
    private static async Task<List<Frame>> PlayBackAsync(string path)
    {
        const string Script =
            "const fs = require('fs'); eval(fs.readFileSync(process.argv[1], 'latin1') + '; globalThis.frames = VNC_frame_data;');" +
            "process.stdout.write(JSON.stringify(globalThis.frames));";
        var result = await Cli.Wrap("node").WithArguments(["-e", Script, path]).WithValidation(CommandResultValidation.None).ExecuteBufferedAsync();
        Assert.True(result.ExitCode == 0, $"node could not evaluate the recording: {result.StandardError}");
        var frames = JsonSerializer.Deserialize<string[]>(result.StandardOutput)!;
        Assert.Equal("EOF", frames[^1]);
        return frames[..^1].Select(f =>
        {
            Assert.True(f[0] is '{' or '}', $"frame starts with {f[0]}");
            var end = f.IndexOf(f[0], 1);
            return new Frame(f[0], long.Parse(f[1..end]), Encoding.Latin1.GetBytes(f[(end + 1)..]));
        }).ToList();
    }

    /// <summary>Bounded wait until the writer has ended the file.</summary>
    private static async Task WaitForCompleteAsync(string path)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!(File.Exists(path) && File.ReadAllText(path, Encoding.Latin1).EndsWith("'EOF'];\n", StringComparison.Ordinal)))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{path} was not completed: {(File.Exists(path) ? File.ReadAllText(path) : "missing")}");
            await Task.Delay(20);
        }
    }

    /// <summary>Reads data frames until <paramref name="total"/> payload bytes arrived; each frame is one message to the client.</summary>
    private static async Task<List<byte[]>> ReadMessagesAsync(RawWebSocketClient client, int total)
    {
        var messages = new List<byte[]>();
        var received = 0;
        while (received < total)
        {
            var frame = await client.ReadFrameAsync(Wait);
            Assert.NotNull(frame);
            Assert.Equal(RawFrame.Binary, frame.Opcode);
            messages.Add(frame.Payload);
            received += frame.Payload.Length;
        }

        return messages;
    }

    [Fact]
    public async Task A_recording_holds_every_message_both_ways_byte_for_byte_one_entry_per_message_numbered_as_the_logs()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--record", Base, "127.0.0.1:0", target.Address]);
        await daemon.WaitForLineAsync(l => l.EndsWith($"  - Recording to '{Base}.*'", StringComparison.Ordinal), TimeSpan.FromSeconds(10)); // start-up lines after "Listen on" may still be in the pipe

        // A plain HTTP request uses up connection #1, as upstream's counter does.
        await using (var http = await RawHttpConnection.OpenAsync(daemon.Port))
        {
            Assert.Equal(405, (await http.ExchangeAsync(RawHttpConnection.Get("/"))).Status);
        }

        var random = new Random(12);
        var large = new byte[200 * 1024];
        random.NextBytes(large);
        var sent = new List<byte[]>
        {
            Enumerable.Range(0, 256).Select(b => (byte)b).ToArray(),
            Encoding.Latin1.GetBytes("it's a \\ 'quote' \"and\" \\'both\\' \r\n\t\u00e9"),
            "frag1-frag2-frag3"u8.ToArray(),
            large,
            Array.Empty<byte>(),
            "last"u8.ToArray(),
        };
        var received = new List<byte[]>();
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            Assert.Equal(101, client.StatusCode);
            foreach (var message in sent)
            {
                if (message.AsSpan().SequenceEqual("frag1-frag2-frag3"u8))
                {
                    await client.SendAsync(RawFrame.Build(RawFrame.Binary, "frag1-"u8, fin: false));
                    await client.SendAsync(RawFrame.Build(RawFrame.Continuation, "frag2-"u8, fin: false));
                    await client.SendAsync(RawFrame.Build(RawFrame.Continuation, "frag3"u8));
                }
                else
                {
                    await client.SendAsync(RawFrame.Build(RawFrame.Binary, message));
                }

                received.AddRange(await ReadMessagesAsync(client, message.Length)); // the echo, in as many messages as the target's reads made
            }

            await client.SendAsync(RawFrame.CloseFrame(1000));
            Assert.Equal(1000, (await client.ReadUntilCloseAsync(Wait)).Close?.CloseCode);
        }

        var line = await daemon.WaitForLineAsync(l => l.Contains("opening record file", StringComparison.Ordinal), Wait);
        Assert.Matches(@"127\.0\.0\.1:\d+ #2: opening record file: " + System.Text.RegularExpressions.Regex.Escape(Base + ".2") + "$", line);
        Assert.False(File.Exists(Base + ".1"));
        var path = Base + ".2";
        await WaitForCompleteAsync(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("var VNC_frame_data = [\n", File.ReadAllText(path, Encoding.Latin1));

        var frames = await PlayBackAsync(path);
        Assert.Equal(sent.Select(Convert.ToHexString), frames.Where(f => f.Mark == '}').Select(f => Convert.ToHexString(f.Data)));
        Assert.Equal(received.Select(Convert.ToHexString), frames.Where(f => f.Mark == '{').Select(f => Convert.ToHexString(f.Data)));
        Assert.Equal(frames.Select(f => f.Milliseconds).Order(), frames.Select(f => f.Milliseconds));
        Assert.InRange(frames[0].Milliseconds, 0, 60_000);
    }

    [Fact]
    public async Task SIGTERM_during_a_session_leaves_a_complete_recording()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--record", Base, "127.0.0.1:0", target.Address]);
        await using var client = await RawWebSocketClient.ConnectAsync(daemon.Port);
        await client.AssertEchoAsync("before the signal");

        daemon.Signal(Signals.SIGTERM);
        Assert.Equal(1001, (await client.ReadUntilCloseAsync(Wait)).Close?.CloseCode);
        await client.SendAsync(RawFrame.CloseFrame(1001));
        Assert.Equal(0, await daemon.WaitForExitAsync(Wait));

        var path = Base + ".1";
        Assert.EndsWith("'EOF'];\n", File.ReadAllText(path, Encoding.Latin1)); // complete when the process is gone, no waiting
        var frames = await PlayBackAsync(path);
        Assert.Equal(["}before the signal", "{before the signal"], frames.Select(f => f.Mark + Encoding.ASCII.GetString(f.Data)));
    }

    [Fact]
    public async Task Recording_files_are_0600_even_when_the_daemon_runs_with_umask_0()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(
            ["-c", "umask 0; exec \"$0\" \"$@\"", RepositoryPaths.Binary, "--record", Base, "127.0.0.1:0", target.Address], binary: "/bin/sh");
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await client.AssertEchoAsync("secret");
        }

        // The writer thread opens the file; it may not have got to it when the echo came back.
        var path = Base + ".1";
        for (var i = 0; i < 200 && !File.Exists(path); i++)
        {
            await Task.Delay(25);
        }

        Assert.True(File.Exists(path), $"{path} was not created");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        // The daemon really runs with umask 0: what it creates without asking for a mode is world-writable.
        Assert.Contains("Umask:\t0000", File.ReadAllText($"/proc/{daemon.Pid}/status"));
    }

    [Fact]
    public async Task Traffic_prints_upstreams_legend_per_session_and_a_mark_per_delivery_on_stdout()
    {
        await using var target = TcpTarget.Echo();
        await using var daemon = await DaemonProcess.StartAsync(["--traffic", "127.0.0.1:0", target.Address]);
        await using (var client = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            await client.AssertEchoAsync("hi");
            await client.SendAsync(RawFrame.Build(RawFrame.Binary, "a"u8, fin: false));
            Assert.Equal("a"u8.ToArray(), (await client.ReadFrameAsync(Wait))!.Payload);
            await client.SendAsync(RawFrame.Build(RawFrame.Continuation, "b"u8));
            Assert.Equal("b"u8.ToArray(), (await client.ReadFrameAsync(Wait))!.Payload);
            await client.SendAsync(RawFrame.CloseFrame(1000));
            await client.ReadUntilCloseAsync(Wait);
        }

        // The next session's legend starts with a newline, which ends the first session's line of marks.
        await using (var second = await RawWebSocketClient.ConnectAsync(daemon.Port))
        {
            Assert.Equal(101, second.StatusCode);
        }

        var marks = await daemon.WaitForLineAsync(l => l.Length > 0 && l.Trim('{', '<', '}', '>', '.').Length == 0, Wait);
        // Each direction's marks are in order; where an echo's mark falls among the client's is a race.
        Assert.Equal("}>}.>}>", marks.Replace("{<", "", StringComparison.Ordinal));
        Assert.Equal(3, (marks.Length - marks.Replace("{<", "", StringComparison.Ordinal).Length) / 2);
        string[] legend =
        [
            "Traffic Legend:", "    }  - Client receive", "    }. - Client receive partial", "    {  - Target receive", "",
            "    >  - Target send", "    >. - Target send partial", "    <  - Client send", "    <. - Client send partial",
        ];
        // stdout's lines alone: stderr's log lines (timestamped) may arrive between them.
        var lines = daemon.Lines.Where(l => !System.Text.RegularExpressions.Regex.IsMatch(l, @"^\d{4}-\d\d-\d\d ")).ToList();
        var at = lines.IndexOf("Traffic Legend:");
        Assert.True(at > 0, string.Join("\n", lines));
        Assert.Equal(legend, lines.Skip(at).Take(legend.Length));
        Assert.Equal("", lines[at - 1]); // the legend starts with a newline
        Assert.Equal(2, lines.Count(l => l == "Traffic Legend:"));
    }
}
