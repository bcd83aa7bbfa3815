using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Websockify.Logging;

namespace Websockify.Tests.Unit.Logging;

public sealed class SyslogWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 18, 50, 20, TimeSpan.Zero));
    private readonly ConcurrentQueue<string> _reports = new();

    /// <param name="before">Queued before the thread starts, so the writer takes them in one batch.</param>
    private SyslogWriter Start(FakeSyslogTransport transport, int capacityBytes = LogWriter.DefaultCapacityBytes, params string[] before)
    {
        var writer = new SyslogWriter(transport, new SyslogFormatter(SyslogFraming.Legacy, SyslogSettings.FacilityUser, "h", 7, transport.MaxDatagramBytes), _time, capacityBytes);
        foreach (var text in before)
        {
            writer.Enqueue(Line(text));
        }

        writer.Start(_reports.Enqueue);
        return writer;
    }

    private static LogEntry Line(string text, LogLevel level = LogLevel.Information) => new(DateTime.UtcNow, level, text);

    private static void Drain(SyslogWriter writer)
    {
        writer.Complete();
        Assert.True(writer.WaitForDrain(Timeout));
    }

    [Fact]
    public void Failed_sends_do_not_stop_the_writer_and_the_loss_is_counted_in_syslog_once_it_is_back()
    {
        var transport = new FakeSyslogTransport();
        transport.Script(SyslogSendResult.Failed, SyslogSendResult.Failed, SyslogSendResult.Busy);
        var writer = Start(transport, LogWriter.DefaultCapacityBytes, "one", "two", "three", "four");
        Drain(writer);

        // one fails; so does the count sent before two; two finds the socket buffer full.
        Assert.Equal(["<12>websockify[7]: 2 log lines dropped: the syslog server was not accepting them", "<14>websockify[7]: three", "<14>websockify[7]: four"], transport.Sent);
        var report = Assert.Single(_reports);
        Assert.Equal("syslog server fake:514 is not accepting log lines (Connection refused); they are dropped, and counted, until it does", report);
        Assert.True(transport.Disposed);
    }

    [Fact]
    public void One_report_per_outage_even_when_udp_lets_every_other_datagram_through()
    {
        var transport = new FakeSyslogTransport();
        var writer = Start(transport);
        for (var i = 0; i < 20; i++)
        {
            transport.Script(SyslogSendResult.Failed);
            writer.Enqueue(Line($"line {i}"));
            transport.WaitForAttempts(2); // the failed line, then its count
            _time.Advance(TimeSpan.FromSeconds(5));
        }

        Assert.Single(_reports);

        // Quiet for the whole window: that outage is over, and the next failure is a new one.
        _time.Advance(SyslogWriter.OutageQuiet);
        writer.Enqueue(Line("back"));
        transport.WaitForAttempts(1);
        transport.Script(SyslogSendResult.Failed);
        writer.Enqueue(Line("down again"));
        transport.WaitForAttempts(1);
        Drain(writer);
        Assert.Equal(2, _reports.Count);
    }

    [Fact]
    public void A_stuck_send_fills_the_bounded_queue_and_later_lines_are_dropped_and_counted()
    {
        var transport = new FakeSyslogTransport(gated: true);
        var writer = Start(transport, capacityBytes: 1000);
        writer.Enqueue(Line("first"));
        transport.WaitForEntered(); // taken: the writer waits in Send now
        for (var i = 0; i < 50; i++)
        {
            writer.Enqueue(Line($"queued {i:00}"));
        }

        transport.Permit(1000);
        Drain(writer);

        var sent = transport.Sent;
        Assert.Equal("<14>websockify[7]: first", sent[0]);
        var queued = sent.Count(s => s.Contains("queued", StringComparison.Ordinal));
        Assert.Equal(1000 / ("queued 00".Length + 100), queued); // what the bounded queue held
        Assert.Equal($"<12>websockify[7]: {50 - queued} log lines dropped: the syslog server was not accepting them", sent[^1]);
        Assert.Empty(_reports); // a full queue is no outage
    }
}
