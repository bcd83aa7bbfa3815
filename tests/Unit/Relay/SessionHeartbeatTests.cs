using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.Relay;

/// <summary>The heartbeat on a real relay between loopback sockets, its clock faked: pings on the wire, the close of a silent client.</summary>
public sealed class SessionHeartbeatTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly Heartbeat _heartbeat;
    private LoopbackPair _client = null!;
    private LoopbackPair _target = null!;
    private NetworkStream _clientStream = null!;

    public SessionHeartbeatTests()
    {
        _heartbeat = new Heartbeat(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(7), _time, NullLogger.Instance);
    }

    public async Task InitializeAsync()
    {
        _client = await LoopbackPair.CreateAsync();
        _target = await LoopbackPair.CreateAsync();
        _clientStream = new NetworkStream(_client.Far, ownsSocket: false);
    }

    public Task DisposeAsync()
    {
        _heartbeat.Dispose();
        _client.Dispose();
        _target.Dispose();
        return Task.CompletedTask;
    }

    private (SessionRelay Relay, Task<RelayOutcome> Running) Start()
    {
        var channel = ClientChannel.Create(new NetworkStream(_client.Near, ownsSocket: false), PayloadEncoding.Binary);
        var relay = new SessionRelay(channel, _client.Near, new SocketTargetConnection(_target.Near), Limits.Default, _time, null);
        _heartbeat.Add(relay, "client");
        return (relay, relay.RunAsync());
    }

    private async Task<WireFrame> ReadClientFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RawFrame.ReadAsync(_clientStream, timeout.Token) ?? throw new EndOfStreamException("no frame");
    }

    [Fact]
    public async Task A_client_that_answers_the_pings_keeps_its_session()
    {
        var (relay, running) = Start();
        for (var i = 0; i < 6; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            var ping = await ReadClientFrameAsync();
            Assert.Equal((RawFrame.Ping, 0), (ping.Opcode, ping.Payload.Length));
            await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Pong, []));
            await WaitForReadsAsync(relay, i + 1);
        }

        Assert.False(running.IsCompleted);
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, "still here"u8));
        Assert.Equal("still here"u8.ToArray(), await _target.ReadFarAsync(10));
    }

    [Fact]
    public async Task A_silent_client_gets_1001_and_its_target_a_fin_and_the_session_ends_as_a_heartbeat_timeout()
    {
        var (_, running) = Start();
        // Pings at 1 s and 2 s; at 3 s of silence the close instead of a third.
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(RawFrame.Ping, (await ReadClientFrameAsync()).Opcode);
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        var close = await ReadClientFrameAsync();
        Assert.Equal((RawFrame.Close, 1001, "No answer to heartbeat"), (close.Opcode, close.CloseCode, close.CloseReason));
        Assert.True(await _target.FarSeesEndAsync());

        // The target closes too, as servers do on a FIN; the client never answers our close.
        _target.Far.Shutdown(SocketShutdown.Send);
        for (var i = 0; i < 6 && !running.IsCompleted; i++)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RelayEnd.HeartbeatTimeout, outcome.End);
    }

    [Fact]
    public async Task A_session_whose_target_ignores_the_fin_is_aborted_after_the_grace()
    {
        var (_, running) = Start();
        // Pings at 1 s and 2 s; at 3 s of silence the close instead of a third.
        for (var i = 0; i < 2; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(RawFrame.Ping, (await ReadClientFrameAsync()).Opcode);
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(RawFrame.Close, (await ReadClientFrameAsync()).Opcode);
        for (var i = 0; i < 10 && !running.IsCompleted; i++)
        {
            await Task.Delay(20);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(RelayEnd.HeartbeatTimeout, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
        Assert.Equal(0, _heartbeat.Count);
    }

    /// <summary>The pong reaches the reader on the relay's side; the next tick must find it already counted.</summary>
    private static async Task WaitForReadsAsync(SessionRelay relay, int reads)
    {
        for (var i = 0; i < 1000 && relay.ClientReads < reads; i++)
        {
            await Task.Delay(5);
        }

        Assert.True(relay.ClientReads >= reads, $"the relay read {relay.ClientReads} times, expected {reads}");
    }
}
