using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

/// <summary>Without a Redis (a port nothing listens on); with one: tests/Integration/TokenRedisTests.cs.</summary>
public sealed class TokenRedisTests
{
    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port; // closed again when this returns, nothing listens
    }

    [Fact]
    public async Task Opening_does_not_wait_for_redis_and_lookups_answer_unavailable_while_it_is_down()
    {
        var started = DateTime.UtcNow;
        using var redis = TokenRedis.Open(
            TokenRedisSource.Parse($"127.0.0.1:{ClosedPort()}:0:pw"), new TokenSourceContext(new FakeTimeProvider(), NullLogger.Instance));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1), "Open waited for the connection");

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var found = await redis.LookupAsync("tok", deadline.Token);
        Assert.Equal(TokenOutcome.Unavailable, found.Outcome);
        Assert.DoesNotContain("pw", found.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain("tok", found.Detail!, StringComparison.Ordinal);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2 + 2 + 1), "the lookup was not bounded by the timeouts");
    }
}
