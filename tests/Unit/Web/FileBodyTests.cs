using System.Text;
using Microsoft.Extensions.Time.Testing;
using Websockify.Web;

namespace Websockify.Tests.Unit.Web;

/// <summary>Streaming a file: head and body share writes, a short file ends the connection, a stalled client is dropped.</summary>
public sealed class FileBodyTests : IDisposable
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(30);
    private readonly string _path = Path.GetTempFileName();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => File.Delete(_path);

    [Fact]
    public async Task A_small_file_goes_out_with_its_head_in_one_write()
    {
        File.WriteAllText(_path, "body");
        var to = new RecordingStream();
        using var file = File.OpenHandle(_path);
        var (outcome, sent) = await new FileBody(Stall, _time, CancellationToken.None).SendAsync(to, "HEAD\r\n\r\n"u8.ToArray(), file, 4);
        Assert.Equal((FileBodyOutcome.Complete, 4L), (outcome, sent));
        Assert.Equal(["HEAD\r\n\r\nbody"], to.Writes);
    }

    [Fact]
    public async Task A_large_file_is_sent_in_buffer_sized_writes()
    {
        var size = (3 * Limits.FileBufferBytes) + 5;
        File.WriteAllBytes(_path, new byte[size]);
        var to = new RecordingStream();
        using var file = File.OpenHandle(_path);
        var (outcome, sent) = await new FileBody(Stall, _time, CancellationToken.None).SendAsync(to, "H"u8.ToArray(), file, size);
        Assert.Equal((FileBodyOutcome.Complete, (long)size), (outcome, sent));
        Assert.All(to.Writes, w => Assert.InRange(w.Length, 1, Limits.FileBufferBytes));
        Assert.Equal(size + 1, to.Writes.Sum(w => w.Length));
    }

    [Fact]
    public async Task A_file_shorter_than_announced_is_reported()
    {
        File.WriteAllText(_path, "abc");
        using var file = File.OpenHandle(_path);
        var (outcome, sent) = await new FileBody(Stall, _time, CancellationToken.None).SendAsync(new RecordingStream(), [], file, 10);
        Assert.Equal((FileBodyOutcome.FileShrank, 3L), (outcome, sent));
    }

    [Fact]
    public async Task A_client_that_reads_nothing_is_dropped_after_the_stall_limit()
    {
        File.WriteAllText(_path, "abc");
        using var file = File.OpenHandle(_path);
        var stuck = new StuckStream();
        var sending = new FileBody(Stall, _time, CancellationToken.None).SendAsync(stuck, [], file, 3);
        await stuck.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        _time.Advance(Stall - TimeSpan.FromSeconds(1));
        Assert.False(sending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FileBodyOutcome.ClientStalled, (await sending.WaitAsync(TimeSpan.FromSeconds(5))).Outcome);
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<string> Writes { get; } = [];

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Writes.Add(Encoding.Latin1.GetString(buffer.Span));
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A client whose receive window is full: every write waits until it is cancelled.</summary>
    private sealed class StuckStream : MemoryStream
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}
