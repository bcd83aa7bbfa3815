using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

public sealed partial class LogSinkTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_terminal_line_is_timestamped_and_escaped()
    {
        using var stderr = new GateStream();
        using (var sink = new LogSink(stderr, LogFormat.Timestamped, null))
        {
            sink.Write(LogLevel.Warning, "bye\n<0>FORGED\x1b[31m");
        }

        var line = Assert.Single(stderr.Lines);
        Assert.Matches(TimestampedLine(), line);
        Assert.EndsWith(@" WARNING bye\n<0>FORGED\x1b[31m", line);
        Assert.DoesNotContain('\x1b', stderr.Text);
    }

    [Fact]
    public void A_journal_line_keeps_one_priority_prefix_whatever_the_message_holds()
    {
        using var stderr = new GateStream();
        using (var sink = new LogSink(stderr, LogFormat.Journal, null))
        {
            sink.Write(LogLevel.Information, "bye\n<0>FORGED\r\n<3>again");
            sink.Write(LogLevel.Error, "second");
        }

        Assert.Equal(@"<6>bye\n<0>FORGED\r\n<3>again" + "\n<3>second\n", stderr.Text);
    }

    [Fact]
    public void The_log_file_gets_timestamped_lines_while_stderr_is_the_journal()
    {
        var path = Path.Combine(Path.GetTempPath(), $"logsink-{Guid.NewGuid():N}.log");
        try
        {
            using var stderr = new GateStream();
            using (var sink = new LogSink(stderr, LogFormat.Journal, path))
            {
                sink.Write(LogLevel.Information, "hello\x1b");
            }

            Assert.Equal("<6>hello\\x1b\n", stderr.Text);
            var line = Assert.Single(File.ReadAllLines(path));
            Assert.Matches(TimestampedLine(), line);
            Assert.EndsWith(@" INFO hello\x1b", line);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_blocked_stderr_never_blocks_the_caller_and_the_dropped_lines_are_counted_in_place()
    {
        using var stderr = new GateStream(open: false);
        using var sink = new LogSink(stderr, LogFormat.Journal, null, capacityBytes: 8192, TimeSpan.FromSeconds(5));

        // The writer takes the first line and is stuck in write(2) before the burst starts, so where the
        // queue fills (and drops begin) does not depend on when the writer thread happens to run.
        sink.Write(LogLevel.Information, "line 0");
        Assert.True(stderr.WaitForAttempt(Timeout));

        // Every call returns although write(2) is stuck: the loop finishes while the gate is still shut.
        var logging = Task.Run(() =>
        {
            for (var i = 1; i < 1000; i++)
            {
                sink.Write(LogLevel.Information, $"line {i}");
            }
        });
        await logging.WaitAsync(Timeout); // a TimeoutException here: Write blocked on the stuck destination

        // One write goes through; the writer takes the next batch (making room) and is stuck again.
        stderr.Allow(1);
        Assert.True(stderr.WaitForAttempt(Timeout));
        sink.Write(LogLevel.Information, "after");
        stderr.Open();
        var lines = stderr.WaitForText(t => t.Contains("<6>after\n", StringComparison.Ordinal), Timeout)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);

        // Written lines in order, then the notice exactly where the gap is, then the line after it.
        var notice = Assert.Single(lines, l => l.Contains("dropped", StringComparison.Ordinal));
        Assert.Equal(lines.Length - 2, Array.IndexOf(lines, notice));
        Assert.Equal("<6>after", lines[^1]);
        var match = Regex.Match(notice, @"^<4>(\d+) log lines dropped: stderr was not accepting writes$");
        Assert.True(match.Success, notice);
        var written = lines[..^2];
        Assert.Equal(Enumerable.Range(0, written.Length).Select(i => $"<6>line {i}"), written);
        Assert.Equal(1000, written.Length + int.Parse(match.Groups[1].Value));
        Assert.InRange(written.Length, 1, 300); // bounded: 8 KiB of queue and one batch, not 1000 lines
    }

    [Fact]
    public void The_notice_is_written_once_the_queue_drains_even_if_nothing_more_is_logged()
    {
        using var stderr = new GateStream(open: false);
        using var sink = new LogSink(stderr, LogFormat.Timestamped, null, capacityBytes: 1024, TimeSpan.FromSeconds(5));
        sink.Write(LogLevel.Information, "line 0");
        Assert.True(stderr.WaitForAttempt(Timeout)); // the writer is stuck before the burst: drops happen in one run
        for (var i = 1; i < 200; i++)
        {
            sink.Write(LogLevel.Information, $"line {i}");
        }

        stderr.Open();
        var text = stderr.WaitForText(t => t.Contains("dropped", StringComparison.Ordinal), Timeout);
        var last = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.Matches(@" WARNING \d+ log lines dropped: stderr was not accepting writes$", last);
    }

    [Fact]
    public void A_blocked_stderr_does_not_starve_the_log_file()
    {
        var path = Path.Combine(Path.GetTempPath(), $"logsink-{Guid.NewGuid():N}.log");
        using var stderr = new GateStream(open: false);
        try
        {
            using (var sink = new LogSink(stderr, LogFormat.Timestamped, path, capacityBytes: 1024, TimeSpan.FromMilliseconds(500)))
            {
                for (var i = 0; i < 300; i++)
                {
                    sink.Write(LogLevel.Information, $"line {i}");
                    if (i % 10 == 9)
                    {
                        // Paced so the file's writer keeps up and its small queue never overflows.
                        WaitForFileLines(path, i + 1);
                    }
                }
            }

            Assert.Equal(300, File.ReadAllLines(path).Length);
        }
        finally
        {
            stderr.Open();
            File.Delete(path);
        }
    }

    [Fact]
    public void Lines_lost_to_a_failing_write_are_counted_too()
    {
        using var stderr = new GateStream();
        using var sink = new LogSink(stderr, LogFormat.Journal, null);
        stderr.Fail(true);
        sink.Write(LogLevel.Information, "lost");
        Assert.True(stderr.WaitForAttempt(Timeout));
        stderr.Fail(false);
        sink.Write(LogLevel.Information, "kept");
        var text = stderr.WaitForText(t => t.Contains("kept", StringComparison.Ordinal), Timeout);
        Assert.Equal("<4>1 log line dropped: stderr was not accepting writes\n<6>kept\n", text);
    }

    [Fact]
    public void Dispose_writes_everything_still_queued()
    {
        using var stderr = new GateStream();
        using (var sink = new LogSink(stderr, LogFormat.Journal, null))
        {
            for (var i = 0; i < 2000; i++)
            {
                sink.Write(LogLevel.Information, $"line {i}");
            }
        }

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => $"<6>line {i}"), stderr.Lines);
    }

    [Fact]
    public void Dispose_gives_up_on_a_stuck_stderr_after_the_drain_timeout()
    {
        using var stderr = new GateStream(open: false);
        var sink = new LogSink(stderr, LogFormat.Journal, null, LogWriter.DefaultCapacityBytes, TimeSpan.FromMilliseconds(300));
        sink.Write(LogLevel.Information, "stuck");
        Assert.True(stderr.WaitForAttempt(Timeout));

        var clock = Stopwatch.StartNew();
        sink.Dispose();
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
        sink.Write(LogLevel.Information, "after dispose"); // ignored, not thrown
        stderr.Open();
    }

    private static void WaitForFileLines(string path, int count)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (File.ReadAllLines(path).Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the log file did not reach {count} lines");
            Thread.Sleep(5);
        }
    }

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [A-Z]+ ")]
    private static partial Regex TimestampedLine();
}
