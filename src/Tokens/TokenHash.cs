using System.Security.Cryptography;
using System.Text;

namespace Websockify.Tokens;

/// <summary>
/// How logs name a token: the first 8 hex digits of its SHA-256. For <c>TokenFile</c> and JWT tokens the
/// token is the secret, so it never appears in a log; 32 bits still tell an admin's two tokens apart.
/// </summary>
internal static class TokenHash
{
    public static string Short(string token)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(token), hash);
        return Convert.ToHexStringLower(hash[..4]);
    }
}
