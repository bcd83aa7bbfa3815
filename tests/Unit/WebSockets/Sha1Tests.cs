using System.Security.Cryptography;
using System.Text;
using Websockify.WebSockets;

namespace Websockify.Tests.Unit.WebSockets;

public sealed class Sha1Tests
{
    [Theory]
    [InlineData("", "da39a3ee5e6b4b0d3255bfef95601890afd80709")]
    [InlineData("abc", "a9993e364706816aba3e25717850c26c9cd0d89d")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1")]
    public void The_FIPS_180_examples_hash_to_their_published_digests(string message, string digest)
    {
        Assert.Equal(digest, Hash(Encoding.ASCII.GetBytes(message)));
    }

    [Fact]
    public void A_million_a_spanning_many_blocks_hashes_to_its_published_digest()
    {
        Assert.Equal("34aa973cd4c4daa4f61eeb2bdbad27316534016f", Hash(Enumerable.Repeat((byte)'a', 1_000_000).ToArray()));
    }

    [Fact]
    public void Every_length_around_the_padding_boundaries_matches_the_runtime_hash()
    {
        var data = new byte[300];
        new Random(6455).NextBytes(data);
        for (var length = 0; length <= data.Length; length++)
        {
            var message = data.AsSpan(0, length);
            Assert.True(Convert.ToHexStringLower(SHA1.HashData(message)) == Hash(message.ToArray()), $"length {length}");
        }
    }

    private static string Hash(byte[] message)
    {
        var hash = new byte[Sha1.HashLength];
        Sha1.HashData(message, hash);
        return Convert.ToHexStringLower(hash);
    }
}
