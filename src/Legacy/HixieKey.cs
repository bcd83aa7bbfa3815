using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Websockify.Legacy;

/// <summary>
/// Hixie-76's key challenge: each of Sec-WebSocket-Key1/2 hides a number (its digits, divided by its
/// count of spaces); the answer is the MD5 of both numbers (32-bit big-endian) and the 8 bytes the
/// client sends after its head.
/// </summary>
internal static class HixieKey
{
    public const int ChallengeLength = 8;

    /// <returns>False for a key the draft calls invalid: no spaces, a remainder, or a number over 32 bits.</returns>
    public static bool TryParse(string key, out uint value)
    {
        value = 0;
        ulong number = 0;
        var spaces = 0;
        foreach (var c in key)
        {
            if (c is >= '0' and <= '9')
            {
                if (number > (ulong.MaxValue - 9) / 10)
                {
                    return false;
                }

                number = number * 10 + (ulong)(c - '0');
            }
            else if (c == ' ')
            {
                spaces++;
            }
        }

        if (spaces == 0 || number % (ulong)spaces != 0 || number / (ulong)spaces > uint.MaxValue)
        {
            return false;
        }

        value = (uint)(number / (ulong)spaces);
        return true;
    }

    public static byte[] Answer(uint key1, uint key2, ReadOnlySpan<byte> challenge)
    {
        Span<byte> input = stackalloc byte[8 + ChallengeLength];
        BinaryPrimitives.WriteUInt32BigEndian(input, key1);
        BinaryPrimitives.WriteUInt32BigEndian(input[4..], key2);
        challenge[..ChallengeLength].CopyTo(input[8..]);
        return MD5.HashData(input);
    }
}
