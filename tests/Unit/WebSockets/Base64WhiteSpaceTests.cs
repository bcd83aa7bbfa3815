using System.Text;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

/// <summary>
/// White space inside base64 text (upstream's b64decode skips it) found by fuzzing (tests/Fuzz, target
/// base64): the decoder skipped it only within one read, so across reads bytes were lost or garbled.
/// </summary>
public sealed class Base64WhiteSpaceTests
{
    [Theory]
    [InlineData("raw aw QUCaw aw QUJD", 3)] // the fuzzer's input: read 3 bytes at a time, 12 came out as 6
    [InlineData("\t\t\t9s\t\t\t\t\t\t9s\t\t\t\t", 3)] // only tabs around the quanta: nothing came out
    [InlineData("aGVs bG8g\r\nd29y bGQh", 5)]
    [InlineData("aGVs bG8g\r\nd29y bGQh", 64 * 1024)]
    public async Task White_space_between_reads_is_skipped_without_losing_bytes(string text, int bufferSize)
    {
        await using var pair = await ChannelPair.CreateAsync(PayloadEncoding.Base64);
        var encoded = Encoding.ASCII.GetBytes(text);
        await pair.SendRawAsync([
            .. RawFrame.Build(RawFrame.Text, encoded.AsSpan(0, 5), fin: false),
            .. RawFrame.Build(RawFrame.Continuation, encoded.AsSpan(5)),
        ]);

        var output = new List<byte>();
        var buffer = new byte[bufferSize];
        while (true)
        {
            var read = await pair.Channel.ReceiveAsync(buffer);
            Assert.NotEqual(MessageKind.ProtocolError, read.Kind);
            output.AddRange(buffer.AsSpan(0, read.Count).ToArray());
            if (read.EndOfMessage)
            {
                break;
            }
        }

        Assert.Equal(Convert.FromBase64String(text), output.ToArray());
    }
}
