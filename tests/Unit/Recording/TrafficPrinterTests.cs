using System.Diagnostics;
using System.Text;
using Websockify.Recording;
using Websockify.Relay;

namespace Websockify.Tests.Unit.Recording;

/// <summary><c>--traffic</c>: upstream's legend, one mark per event, and a stdout that does not read cannot stall anything.</summary>
public sealed class TrafficPrinterTests
{
    private const string UpstreamLegend =
        "\nTraffic Legend:\n    }  - Client receive\n    }. - Client receive partial\n    {  - Target receive\n\n" +
        "    >  - Target send\n    >. - Target send partial\n    <  - Client send\n    <. - Client send partial\n";

    [Fact]
    public void Each_session_prints_the_legend_then_one_mark_per_delivery()
    {
        var stdout = new TestFile();
        var output = new TrafficOutput(stdout, new ListLogger());
        var printer = new TrafficPrinter(output);
        var observer = printer.OnStarted(null!, 0)!;
        observer.OnPayload(PayloadDirection.ToClient, "RFB"u8, true, 0);
        observer.OnPayload(PayloadDirection.ToTarget, "big"u8, false, 0);
        observer.OnPayload(PayloadDirection.ToTarget, "end"u8, true, 0);
        observer.OnPayload(PayloadDirection.ToClient, "x"u8, true, 0);
        printer.Drain(TimeSpan.FromSeconds(10));

        Assert.Equal(UpstreamLegend + "{<}.>}>{<", stdout.Text);
    }

    [Fact]
    public void A_stdout_that_does_not_read_drops_marks_with_one_log_line_instead_of_waiting()
    {
        var stuck = new TestFile(open: false);
        var logger = new ListLogger();
        var output = new TrafficOutput(stuck, logger, capacity: 1024);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            output.Write("{<"u8);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5));
        Assert.Single(logger.Messages, m => m == "--traffic: characters dropped, stdout was not accepting writes");
        stuck.Open();
        output.Complete(TimeSpan.FromSeconds(10));
        Assert.InRange(Encoding.ASCII.GetByteCount(stuck.Text), 2, 2 * 1024);
    }
}
