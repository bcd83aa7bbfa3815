using System.Buffers.Binary;
using System.Runtime.Intrinsics;

namespace Websockify.WebSockets;

/// <summary>RFC 6455 §5.3 unmasking, fused with the copy out of the receive buffer and vectorised.</summary>
internal static class Masking
{
    /// <param name="key">The frame's 4-byte masking key.</param>
    /// <param name="keyOffset">Position in the key of <paramref name="source"/>[0]; advanced past the copied bytes.</param>
    public static void UnmaskCopy(ReadOnlySpan<byte> source, Span<byte> destination, uint key, ref int keyOffset)
    {
        // Rotate the key so that byte 0 of the span lines up with byte 0 of the pattern.
        Span<byte> pattern = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(pattern, key);
        var shift = keyOffset & 3;
        Span<byte> rotated = stackalloc byte[4];
        for (var i = 0; i < 4; i++)
        {
            rotated[i] = pattern[(shift + i) & 3];
        }

        var mask32 = BinaryPrimitives.ReadUInt32LittleEndian(rotated);
        var length = source.Length;
        var index = 0;
        if (Vector256.IsHardwareAccelerated && length >= Vector256<byte>.Count)
        {
            var mask = Vector256.Create(mask32).AsByte();
            for (; index <= length - Vector256<byte>.Count; index += Vector256<byte>.Count)
            {
                (Vector256.Create(source.Slice(index, Vector256<byte>.Count)) ^ mask).CopyTo(destination[index..]);
            }
        }

        if (Vector128.IsHardwareAccelerated && length - index >= Vector128<byte>.Count)
        {
            var mask = Vector128.Create(mask32).AsByte();
            for (; index <= length - Vector128<byte>.Count; index += Vector128<byte>.Count)
            {
                (Vector128.Create(source.Slice(index, Vector128<byte>.Count)) ^ mask).CopyTo(destination[index..]);
            }
        }

        // Every step above is a multiple of 4, so the pattern is still aligned here.
        for (; index < length; index++)
        {
            destination[index] = (byte)(source[index] ^ rotated[index & 3]);
        }

        keyOffset = (keyOffset + length) & 3;
    }
}
