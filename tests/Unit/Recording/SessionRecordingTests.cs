using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Websockify.Recording;
using Websockify.Relay;

namespace Websockify.Tests.Unit.Recording;

/// <summary>What a session's recording writes, message by message, and how it stops when the disk does not keep up.</summary>
public sealed class SessionRecordingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();
    private readonly ListLogger _logger = new();
    private readonly Dictionary<string, TestFile> _files = [];

    private RecordWriter Writer(long sessionCapacity = Limits.RecordSessionQueueBytes, Func<string, TestFile>? open = null) =>
        new(path =>
        {
            var file = open?.Invoke(path) ?? new TestFile();
            lock (_files)
            {
                _files[path] = file;
            }

            return file;
        }, _logger, sessionCapacity);

    private SessionRecording Start(RecordWriter writer, string path = "/rec/session.1")
    {
        var session = new SessionRecording(writer, path, "127.0.0.1:5000 #1", _time.GetTimestamp(), _time, _logger);
        writer.EnqueueOpen(session);
        return session;
    }

    private TestFile File(string path = "/rec/session.1")
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            lock (_files)
            {
                if (_files.TryGetValue(path, out var file))
                {
                    return file;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, "the file was never opened");
            Thread.Sleep(5);
        }
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            Thread.Sleep(5);
        }
    }

    private static SessionSummary Summary => new(new RelayOutcome(RelayEnd.ClientClosed, ""), 0, 0, 0);

    [Fact]
    public void Entries_have_upstreams_format_with_milliseconds_since_the_start_and_the_file_ends_with_EOF()
    {
        var writer = Writer();
        var session = Start(writer);
        session.OnPayload(PayloadDirection.ToClient, "RFB 003.008\n"u8, true, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(1300.7));
        session.OnPayload(PayloadDirection.ToTarget, "it's\\"u8, true, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(1));
        session.OnPayload(PayloadDirection.ToClient, [0x00, 0xff, 0x7f, (byte)'\t'], true, _time.GetTimestamp());
        session.OnEnded(Summary);
        WaitUntil(() => File().Closed);

        Assert.Equal(
            "var VNC_frame_data = [\n'{0{RFB 003.008\\n',\n'}1300}it\\'s\\\\',\n'{2300{\\x00\\xff\\x7f\\t',\n'EOF'];\n",
            File().Text);
        Assert.Equal(0, writer.Queued(session));
    }

    [Fact]
    public void Pieces_of_a_client_message_become_one_entry_stamped_when_its_last_piece_arrived()
    {
        var writer = Writer();
        var session = Start(writer);
        session.OnPayload(PayloadDirection.ToTarget, "frag1-"u8, false, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(5));
        session.OnPayload(PayloadDirection.ToClient, "between"u8, true, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromMilliseconds(5));
        session.OnPayload(PayloadDirection.ToTarget, "frag2"u8, false, _time.GetTimestamp());
        session.OnPayload(PayloadDirection.ToTarget, [], true, _time.GetTimestamp());
        session.OnPayload(PayloadDirection.ToTarget, [], true, _time.GetTimestamp()); // an empty message is an entry too
        session.OnPayload(PayloadDirection.ToTarget, "unfinished"u8, false, _time.GetTimestamp());
        session.OnEnded(Summary);
        WaitUntil(() => File().Closed);

        Assert.Equal("var VNC_frame_data = [\n'{5{between',\n'}10}frag1-frag2',\n'}10}',\n'EOF'];\n", File().Text);
    }

    [Fact]
    public void Milliseconds_never_go_down_when_the_two_directions_report_out_of_order()
    {
        var writer = Writer();
        var session = Start(writer);
        var early = _time.GetTimestamp();
        _time.Advance(TimeSpan.FromMilliseconds(40));
        session.OnPayload(PayloadDirection.ToClient, "late"u8, true, _time.GetTimestamp());
        session.OnPayload(PayloadDirection.ToTarget, "early"u8, true, early); // read its clock first, queued second
        session.OnEnded(Summary);
        WaitUntil(() => File().Closed);

        Assert.Equal("var VNC_frame_data = [\n'{40{late',\n'}40}early',\n'EOF'];\n", File().Text);
    }

    [Fact]
    public void A_disk_that_does_not_keep_up_stops_that_recording_with_one_log_line_and_the_relay_never_waits()
    {
        var slow = new TestFile(open: false);
        var writer = Writer(sessionCapacity: 64 * 1024, open: _ => slow);
        var session = Start(writer);
        var chunk = new byte[16 * 1024];
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 100; i++)
        {
            session.OnPayload(PayloadDirection.ToClient, chunk, true, _time.GetTimestamp());
            session.OnPayload(PayloadDirection.ToTarget, chunk, i % 2 == 0, _time.GetTimestamp());
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the relay side waited {watch.Elapsed}");
        Assert.True(session.Stopped);
        var stopped = Assert.Single(_logger.Messages, m => m.Contains("stopped", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:5000 #1: recording to /rec/session.1 stopped, the session goes on: more than 64 KiB waiting to be written", stopped);
        Assert.InRange(writer.Queued(session), 0, 64 * 1024);

        slow.Open();
        session.OnEnded(Summary);
        WaitUntil(() => slow.Closed);
        var text = slow.Text;
        Assert.StartsWith("var VNC_frame_data = [\n'{0{", text);
        Assert.EndsWith("',\n// recording stopped here: more than 64 KiB waiting to be written (recording is slower than the session)\n'EOF'];\n", text);
        Assert.InRange(text.Length, 16 * 1024 * 4, 80 * 1024 * 4); // what was queued before the stop, escaped, and no more
        Assert.Equal(0, writer.Queued(session));
    }

    [Fact]
    public void A_message_larger_than_the_budget_stops_the_recording_instead_of_growing()
    {
        var writer = Writer(sessionCapacity: 64 * 1024);
        var session = Start(writer);
        for (var i = 0; i < 10; i++)
        {
            session.OnPayload(PayloadDirection.ToTarget, new byte[16 * 1024], false, _time.GetTimestamp());
        }

        Assert.True(session.Stopped);
        session.OnEnded(Summary);
        WaitUntil(() => File().Closed);
        Assert.Single(_logger.Messages, m => m.Contains("stopped", StringComparison.Ordinal));
        Assert.Equal("var VNC_frame_data = [\n// recording stopped here: more than 64 KiB waiting to be written (recording is slower than the session)\n'EOF'];\n", File().Text);
    }

    [Fact]
    public void A_failing_write_stops_that_recording_once_and_others_go_on()
    {
        var failing = new TestFile();
        var writer = Writer(open: path => path.EndsWith(".1", StringComparison.Ordinal) ? failing : new TestFile());
        var first = Start(writer, "/rec/s.1");
        var second = Start(writer, "/rec/s.2");
        File("/rec/s.1");
        failing.Fail(true);
        first.OnPayload(PayloadDirection.ToClient, "lost"u8, true, _time.GetTimestamp());
        WaitUntil(() => first.Stopped);
        first.OnPayload(PayloadDirection.ToClient, "ignored"u8, true, _time.GetTimestamp());
        second.OnPayload(PayloadDirection.ToClient, "kept"u8, true, _time.GetTimestamp());
        first.OnEnded(Summary);
        second.OnEnded(Summary);
        WaitUntil(() => File("/rec/s.2").Closed);

        Assert.True(failing.Closed);
        var line = Assert.Single(_logger.Messages, m => m.Contains("stopped", StringComparison.Ordinal));
        Assert.Contains("recording to /rec/s.1 stopped, the session goes on: writing failed: No space left on device", line);
        Assert.Equal("var VNC_frame_data = [\n'{0{kept',\n'EOF'];\n", File("/rec/s.2").Text);
    }

    [Fact]
    public void A_file_that_cannot_be_opened_is_logged_and_the_session_goes_on_unrecorded()
    {
        var writer = Writer(open: _ => throw new IOException("Permission denied"));
        var session = Start(writer);
        WaitUntil(() => session.Stopped);
        session.OnPayload(PayloadDirection.ToClient, "x"u8, true, _time.GetTimestamp());
        session.OnEnded(Summary);
        Assert.True(writer.Complete(Wait));
        Assert.Contains(_logger.Messages, m => m.Contains("cannot open record file /rec/session.1: Permission denied; the session goes on unrecorded", StringComparison.Ordinal));
    }

    [Fact]
    public void The_exit_completes_every_file_still_open_with_its_end()
    {
        var writer = Writer();
        var session = Start(writer);
        session.OnPayload(PayloadDirection.ToClient, "data"u8, true, _time.GetTimestamp());

        Assert.True(writer.Complete(Wait));
        Assert.True(File().Closed);
        Assert.Equal("var VNC_frame_data = [\n'{0{data',\n'EOF'];\n", File().Text);
        session.OnEnded(Summary); // after the exit's drain: nothing more is written, nothing throws
        Assert.Equal("var VNC_frame_data = [\n'{0{data',\n'EOF'];\n", File().Text);
    }

    [Fact]
    public void A_large_message_is_escaped_in_blocks_and_written_whole()
    {
        var writer = Writer();
        var session = Start(writer);
        var data = Enumerable.Range(0, 200 * 1024).Select(i => (byte)i).ToArray();
        session.OnPayload(PayloadDirection.ToTarget, data.AsSpan(0, 70_000), false, _time.GetTimestamp());
        session.OnPayload(PayloadDirection.ToTarget, data.AsSpan(70_000), true, _time.GetTimestamp());
        session.OnEnded(Summary);
        WaitUntil(() => File().Closed);

        var expected = new byte[data.Length * 4];
        var escaped = System.Text.Encoding.ASCII.GetString(expected, 0, RecordEscaper.Escape(data, expected));
        Assert.Equal($"var VNC_frame_data = [\n'}}0}}{escaped}',\n'EOF'];\n", File().Text);
    }
}
