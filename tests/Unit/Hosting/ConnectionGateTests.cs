using System.Net;
using Microsoft.Extensions.Time.Testing;
using Websockify.Hosting;
using Websockify.Tests.Unit.Recording;

namespace Websockify.Tests.Unit.Hosting;

public sealed class ConnectionGateTests
{
    private static readonly IPAddress A = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress B = IPAddress.Parse("2001:db8::1");

    [Fact]
    public void The_total_limit_refuses_the_next_connection_until_one_leaves()
    {
        var gate = new ConnectionGate(maxTotal: 2, maxPerAddress: 0);
        Assert.Null(gate.TryEnter(A));
        Assert.Null(gate.TryEnter(B));
        Assert.Equal(GateRefusal.Total, gate.TryEnter(A));
        Assert.Equal(GateRefusal.Total, gate.TryEnter(null)); // a unix socket client counts too
        gate.Leave(B);
        Assert.Null(gate.TryEnter(null));
        Assert.Equal(2, gate.Open);
    }

    [Fact]
    public void The_per_address_limit_is_per_address_and_a_mapped_ipv4_address_is_the_same_client()
    {
        var gate = new ConnectionGate(maxTotal: 0, maxPerAddress: 2);
        Assert.Null(gate.TryEnter(A));
        Assert.Null(gate.TryEnter(A.MapToIPv6()));
        Assert.Equal(GateRefusal.PerAddress, gate.TryEnter(A));
        Assert.Null(gate.TryEnter(B)); // another address still gets in
        gate.Leave(A.MapToIPv6());
        Assert.Null(gate.TryEnter(A));
        Assert.Equal(GateRefusal.PerAddress, gate.TryEnter(A));
    }

    [Fact]
    public void Zero_means_no_limit_and_leaving_forgets_the_address()
    {
        var gate = new ConnectionGate(maxTotal: 0, maxPerAddress: 1);
        for (var i = 0; i < 1000; i++)
        {
            var address = new IPAddress([10, 0, (byte)(i >> 8), (byte)i]);
            Assert.Null(gate.TryEnter(address));
            gate.Leave(address);
        }

        Assert.Equal(0, gate.Open);
        Assert.Null(gate.TryEnter(A)); // forgotten addresses start from zero again
    }

    [Fact]
    public void Refusals_are_logged_at_most_once_a_second_and_the_line_counts_those_in_between()
    {
        var time = new FakeTimeProvider();
        var logger = new ListLogger();
        var log = new RefusalLog(maxTotal: 5, maxPerAddress: 2, time, logger);

        log.Refused(GateRefusal.Total, "192.0.2.1:1000");
        for (var i = 0; i < 50; i++)
        {
            log.Refused(i % 2 == 0 ? GateRefusal.Total : GateRefusal.PerAddress, $"192.0.2.1:{1001 + i}");
        }

        Assert.Single(logger.Messages);
        Assert.Contains("refused 1 connection(s) (the last from 192.0.2.1:1000)", logger.Messages[0], StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMilliseconds(999));
        log.Refused(GateRefusal.PerAddress, "192.0.2.1:2000");
        Assert.Single(logger.Messages);

        time.Advance(TimeSpan.FromMilliseconds(1));
        log.Refused(GateRefusal.Total, "192.0.2.1:2001");
        Assert.Equal(2, logger.Messages.Count);
        Assert.Equal(
            "refused 52 connection(s) (the last from 192.0.2.1:2001), closed at once: 26 at --max-connections 5, 26 at --max-connections-per-ip 2; at most one such line a second",
            logger.Messages[1]);
    }

    [Fact]
    public void A_connection_moved_to_its_real_client_counts_there_and_leaves_from_there()
    {
        var balancer = IPAddress.Parse("127.0.0.1");
        var gate = new ConnectionGate(maxTotal: 0, maxPerAddress: 1);
        Assert.Null(gate.TryEnter(balancer));
        Assert.Null(gate.TryMove(balancer, A));
        Assert.Null(gate.TryEnter(balancer)); // the balancer's own allowance is free again
        Assert.Equal(GateRefusal.PerAddress, gate.TryMove(balancer, A.MapToIPv6())); // A is at its limit: nothing moves
        Assert.Null(gate.TryMove(balancer, B));
        gate.Leave(A);
        Assert.Null(gate.TryEnter(A));
        Assert.Equal(GateRefusal.PerAddress, gate.TryEnter(B));
        Assert.Equal(2, gate.Open); // moving never changes the total
    }

    [Fact]
    public void An_admission_leaves_from_the_address_it_was_moved_to_and_logs_a_refused_move()
    {
        var balancer = IPAddress.Parse("127.0.0.1");
        var gate = new ConnectionGate(maxTotal: 0, maxPerAddress: 1);
        var log = new ListLogger();
        var refusals = new RefusalLog(0, 1, new FakeTimeProvider(), log);
        Assert.Null(gate.TryEnter(balancer));
        var first = new Admission(gate, refusals, balancer);
        Assert.True(first.TryMoveTo(A, "192.0.2.1:1000"));
        Assert.Null(gate.TryEnter(balancer));
        var second = new Admission(gate, refusals, balancer);
        Assert.False(second.TryMoveTo(A, "192.0.2.1:1001"));
        Assert.Contains(log.Messages, m => m.Contains("192.0.2.1:1001", StringComparison.Ordinal));
        first.Leave();
        second.Leave();
        Assert.Equal(0, gate.Open);
        Assert.Null(gate.TryEnter(A));
        Assert.Null(gate.TryEnter(balancer));
    }
}
