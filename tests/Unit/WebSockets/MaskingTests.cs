using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

public sealed class MaskingTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 3)]
    [InlineData(31, 1)]
    [InlineData(33, 2)]
    [InlineData(1000, 3)]
    [InlineData(65536, 0)]
    public void Vectorised_unmask_matches_the_byte_by_byte_definition(int length, int startOffset)
    {
        var source = new byte[length];
        new Random(length).NextBytes(source);
        byte[] key = [0x37, 0xFA, 0x21, 0x3D];
        var expected = source.Select((b, i) => (byte)(b ^ key[(i + startOffset) % 4])).ToArray();

        var actual = new byte[length];
        var offset = startOffset;
        Masking.UnmaskCopy(source, actual, BitConverter.ToUInt32(key), ref offset);

        Assert.Equal(expected, actual);
        Assert.Equal((startOffset + length) % 4, offset);
    }

    [Fact]
    public void Unmasking_in_pieces_equals_unmasking_at_once()
    {
        var source = Enumerable.Range(0, 777).Select(i => (byte)(i * 7)).ToArray();
        var key = 0xDEADBEEFu;
        var whole = new byte[source.Length];
        var offset = 0;
        Masking.UnmaskCopy(source, whole, key, ref offset);

        var pieces = new byte[source.Length];
        offset = 0;
        foreach (var (start, count) in new[] { (0, 5), (5, 64), (69, 1), (70, 707) })
        {
            Masking.UnmaskCopy(source.AsSpan(start, count), pieces.AsSpan(start, count), key, ref offset);
        }

        Assert.Equal(whole, pieces);
    }
}
