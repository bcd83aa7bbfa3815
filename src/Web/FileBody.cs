using System.Buffers;
using Microsoft.Win32.SafeHandles;

namespace Websockify.Web;

/// <summary>How sending a file's body ended.</summary>
internal enum FileBodyOutcome
{
    Complete,

    /// <summary>The file got shorter than the Content-Length already sent: the connection must end.</summary>
    FileShrank,

    /// <summary>A write made no progress within the stall limit.</summary>
    ClientStalled,

    /// <summary>The client went away, or the daemon is stopping.</summary>
    Aborted,
}

/// <summary>
/// Streams a response head and a file's first <c>length</c> bytes through one pooled
/// <see cref="Limits.FileBufferBytes"/> buffer: a file of any size costs that much memory. The head
/// shares the first write, so a small file goes out in one. Each write must finish within the stall
/// limit; the download as a whole has none.
/// </summary>
internal sealed class FileBody(TimeSpan stallTimeout, TimeProvider time, CancellationToken stopping)
{
    public async Task<(FileBodyOutcome Outcome, long Sent)> SendAsync(Stream to, byte[] head, SafeFileHandle file, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(Limits.FileBufferBytes, head.Length));
        using var stall = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        using var stoppingRegistration = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), stall);
        long sent = 0;
        try
        {
            head.CopyTo(buffer, 0);
            var filled = head.Length;
            while (true)
            {
                var wanted = (int)Math.Min(buffer.Length - filled, length - sent);
                var read = wanted == 0 ? 0 : await RandomAccess.ReadAsync(file, buffer.AsMemory(filled, wanted), sent, stopping).ConfigureAwait(false);
                filled += read;
                if (filled > 0)
                {
                    stall.CancelAfter(stallTimeout);
                    await to.WriteAsync(buffer.AsMemory(0, filled), stall.Token).ConfigureAwait(false);
                    sent += read;
                    filled = 0;
                }

                if (sent == length)
                {
                    stall.CancelAfter(stallTimeout);
                    await to.FlushAsync(stall.Token).ConfigureAwait(false);
                    return (FileBodyOutcome.Complete, sent);
                }

                if (read == 0)
                {
                    return (FileBodyOutcome.FileShrank, sent);
                }
            }
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return (FileBodyOutcome.ClientStalled, sent);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return (FileBodyOutcome.Aborted, sent);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
