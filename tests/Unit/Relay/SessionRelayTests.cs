using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Websockify.Relay;
using Websockify.Targets;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.Relay;

/// <summary>The relay between a real client socket and a real target socket: bytes, ends, and what an observer sees.</summary>
public sealed class SessionRelayTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingObserver _observer;
    private LoopbackPair _client = null!;
    private LoopbackPair _target = null!;
    private NetworkStream _clientStream = null!;

    public SessionRelayTests()
    {
        _observer = new RecordingObserver(_time.GetTimestamp());
    }

    public async Task InitializeAsync()
    {
        _client = await LoopbackPair.CreateAsync();
        _target = await LoopbackPair.CreateAsync();
        _clientStream = new NetworkStream(_client.Far, ownsSocket: false);
    }

    public Task DisposeAsync()
    {
        _client.Dispose();
        _target.Dispose();
        return Task.CompletedTask;
    }

    private (SessionRelay Relay, Task<RelayOutcome> Running) Start(PayloadEncoding encoding = PayloadEncoding.Binary, ISessionObserver? observer = null)
    {
        var channel = ClientChannel.Create(new NetworkStream(_client.Near, ownsSocket: false), encoding);
        var relay = new SessionRelay(channel, _client.Near, new SocketTargetConnection(_target.Near), Limits.Default, _time, observer);
        return (relay, relay.RunAsync());
    }

    private async Task<WireFrame> ReadClientFrameAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await RawFrame.ReadAsync(_clientStream, timeout.Token) ?? throw new EndOfStreamException("no frame");
    }

    [Fact]
    public async Task Bytes_cross_both_ways_unchanged_and_the_observer_sees_each_delivery_in_order()
    {
        var (relay, running) = Start(observer: _observer);

        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, "hello"u8));
        Assert.Equal("hello"u8.ToArray(), await _target.ReadFarAsync(5));
        Assert.True(await _observer.Delivered.WaitAsync(TimeSpan.FromSeconds(10))); // the relay reports after its send: wait for it before the clock moves
        _time.Advance(TimeSpan.FromSeconds(3));
        await _target.Far.SendAsync("world!"u8.ToArray());
        var frame = await ReadClientFrameAsync();
        Assert.Equal(RawFrame.Binary, frame.Opcode);
        Assert.False(frame.Masked);
        Assert.Equal("world!"u8.ToArray(), frame.Payload);

        await _clientStream.WriteAsync(RawFrame.CloseFrame(1000));
        Assert.Equal(1000, (await ReadClientFrameAsync()).CloseCode);
        Assert.True(await _target.FarSeesEndAsync());
        _target.Far.Shutdown(SocketShutdown.Send);
        _client.Far.Shutdown(SocketShutdown.Send);
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RelayEnd.ClientClosed, outcome.End);
        Assert.Equal((5, 6), (relay.BytesToTarget, relay.BytesToClient));
        Assert.Equal(
            [(PayloadDirection.ToTarget, "hello", 0L), (PayloadDirection.ToClient, "world!", 3L)],
            _observer.Payloads.Select(p => (p.Direction, p.Text, (long)_time.GetElapsedTime(_observer.Start, p.Timestamp).TotalSeconds)));
        var summary = Assert.Single(_observer.Ended);
        Assert.Equal((RelayEnd.ClientClosed, 5L, 6L), (summary.Outcome.End, summary.BytesToTarget, summary.BytesToClient));
    }

    [Fact]
    public async Task Client_pieces_carry_their_end_of_message_mark_including_an_empty_last_fragment_and_an_empty_message()
    {
        var (_, running) = Start(observer: _observer);

        // "ab" + "cd" + "" (an empty final fragment), then an empty message, then "ef" in one frame.
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, "ab"u8, fin: false));
        Assert.Equal("ab"u8.ToArray(), await _target.ReadFarAsync(2));
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Continuation, "cd"u8, fin: false));
        Assert.Equal("cd"u8.ToArray(), await _target.ReadFarAsync(2));
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Continuation, ""u8));
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, ""u8));
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, "ef"u8));
        Assert.Equal("ef"u8.ToArray(), await _target.ReadFarAsync(2));
        for (var i = 0; i < 5; i++)
        {
            Assert.True(await _observer.Delivered.WaitAsync(TimeSpan.FromSeconds(10)));
        }

        Assert.Equal([("ab", false), ("cd", false), ("", true), ("", true), ("ef", true)], _observer.Pieces);
        await _clientStream.WriteAsync(RawFrame.CloseFrame(1000));
        await ReadClientFrameAsync();
        _target.Far.Shutdown(SocketShutdown.Send);
        _client.Far.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayEnd.ClientClosed, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
    }

    [Fact]
    public async Task The_targets_end_closes_the_client_with_1000()
    {
        var (_, running) = Start();
        _target.Far.Shutdown(SocketShutdown.Send);

        var close = await ReadClientFrameAsync();
        Assert.Equal((1000, "Target closed"), (close.CloseCode, close.CloseReason));
        await _clientStream.WriteAsync(RawFrame.CloseFrame(1000));
        _client.Far.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayEnd.TargetClosed, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
    }

    [Fact]
    public async Task A_client_close_is_echoed_with_its_code_and_reason_and_the_target_gets_a_FIN()
    {
        var (_, running) = Start();
        await _clientStream.WriteAsync(RawFrame.CloseFrame(4001, "bye"));

        var echo = await ReadClientFrameAsync();
        Assert.Equal((4001, "bye"), (echo.CloseCode, echo.CloseReason));
        Assert.True(await _target.FarSeesEndAsync());
        _target.Far.Shutdown(SocketShutdown.Send);
        _client.Far.Shutdown(SocketShutdown.Send);
        var outcome = await running.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(RelayEnd.ClientClosed, outcome.End);
        Assert.Equal("4001 bye", outcome.Detail);
    }

    [Fact]
    public async Task A_protocol_violation_closes_with_its_code_and_nothing_reaches_the_target()
    {
        var (relay, running) = Start();
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Binary, [1, 2, 3], mask: false));

        Assert.Equal(1002, (await ReadClientFrameAsync()).CloseCode);
        Assert.True(await _target.FarSeesEndAsync());
        _target.Far.Shutdown(SocketShutdown.Send);
        _client.Far.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayEnd.ClientProtocolError, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
        Assert.Equal(0, relay.BytesToTarget);
    }

    [Fact]
    public async Task A_client_that_vanishes_without_a_close_frame_is_a_disconnect()
    {
        var (_, running) = Start();
        _client.Far.Shutdown(SocketShutdown.Both);
        Assert.True(await _target.FarSeesEndAsync());
        _target.Far.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayEnd.ClientDisconnected, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
    }

    [Fact]
    public async Task Base64_sessions_decode_uploads_and_encode_downloads()
    {
        var (_, running) = Start(PayloadEncoding.Base64);
        await _clientStream.WriteAsync(RawFrame.Build(RawFrame.Text, "AAEC/w=="u8));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, await _target.ReadFarAsync(4));
        await _target.Far.SendAsync(new byte[] { 255, 254 });
        var frame = await ReadClientFrameAsync();
        Assert.Equal((RawFrame.Text, "//4="), (frame.Opcode, System.Text.Encoding.ASCII.GetString(frame.Payload)));

        await _clientStream.WriteAsync(RawFrame.CloseFrame(1000));
        await ReadClientFrameAsync();
        _target.Far.Shutdown(SocketShutdown.Send);
        _client.Far.Shutdown(SocketShutdown.Send);
        Assert.Equal(RelayEnd.ClientClosed, (await running.WaitAsync(TimeSpan.FromSeconds(10))).End);
    }

    private sealed class RecordingObserver(long start) : ISessionObserver
    {
        public long Start { get; } = start;

        public List<(PayloadDirection Direction, string Text, long Timestamp)> Payloads { get; } = [];

        /// <summary>Client-to-target pieces with their end-of-message mark.</summary>
        public List<(string Text, bool EndOfMessage)> Pieces { get; } = [];

        public List<SessionSummary> Ended { get; } = [];

        /// <summary>Released once per reported payload.</summary>
        public SemaphoreSlim Delivered { get; } = new(0);

        public void OnPayload(PayloadDirection direction, ReadOnlySpan<byte> payload, bool endOfMessage, long timestamp)
        {
            lock (Payloads)
            {
                Payloads.Add((direction, System.Text.Encoding.ASCII.GetString(payload), timestamp));
                if (direction == PayloadDirection.ToTarget)
                {
                    Pieces.Add((System.Text.Encoding.ASCII.GetString(payload), endOfMessage));
                }
            }

            Delivered.Release();
        }

        public void OnEnded(SessionSummary summary) => Ended.Add(summary);
    }
}
