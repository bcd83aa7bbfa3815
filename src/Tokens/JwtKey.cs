using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Websockify.Tokens;

/// <summary>
/// The key a <c>JWTTokenApi</c> source file holds, and which signature algorithms it may verify: a PEM
/// RSA or EC public key (or private key, or certificate: only its public half is used) for RS/PS/ES
/// tokens, or, as upstream reads any other file (jwcrypto's <c>oct</c> key), a shared secret written
/// in base64url for HS tokens. A token's <c>alg</c> must belong to the key's family: an HS256 token
/// "signed" with an RSA public key's bytes (the classic algorithm confusion) is refused.
/// </summary>
internal sealed class JwtKey : IDisposable
{
    public const int MaxFileBytes = 64 * 1024;

    private readonly byte[]? _secret;
    private readonly RSA? _rsa;
    private readonly ECDsa? _ec;

    private JwtKey(byte[]? secret, RSA? rsa, ECDsa? ec)
    {
        _secret = secret;
        _rsa = rsa;
        _ec = ec;
    }

    /// <summary>For the start-up line: <c>RSA 2048-bit public key</c>, <c>EC P-256 public key</c>, <c>256-bit shared secret</c>.</summary>
    public string Description => _rsa is not null ? $"RSA {_rsa.KeySize}-bit public key"
        : _ec is not null ? $"EC P-{_ec.KeySize} public key"
        : $"{_secret!.Length * 8}-bit shared secret";

    /// <summary>A shared secret shorter than RFC 7518 asks for HS256 (256 bits) is allowed, as upstream, but worth a warning.</summary>
    public bool WeakSecret => _secret is { Length: < 32 };

    /// <exception cref="TokenSourceException">The file is missing, too large, or holds neither a key nor base64url.</exception>
    public static JwtKey Load(string path)
    {
        string text;
        try
        {
            var info = new FileInfo(path);
            if (info.Exists && info.Length > MaxFileBytes)
            {
                throw new TokenSourceException($"JWT key file '{path}' is larger than {MaxFileBytes / 1024} KiB");
            }

            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TokenSourceException($"cannot read JWT key file '{path}': {ex.Message}", ex);
        }

        return text.Contains("-----BEGIN", StringComparison.Ordinal) ? FromPem(path, text) : FromSecret(path, text.Trim());
    }

    /// <summary>Whether <paramref name="alg"/> is one this key verifies, and the signature over <paramref name="signed"/> is right.</summary>
    /// <returns>Null when valid; otherwise why not.</returns>
    public string? Verify(string alg, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> signature)
    {
        if (alg is "none" or "")
        {
            return "unsigned tokens (alg none) are refused";
        }

        if (_secret is not null)
        {
            byte[]? mac = alg switch
            {
                "HS256" => HMACSHA256.HashData(_secret, signed),
                "HS384" => HMACSHA384.HashData(_secret, signed),
                "HS512" => HMACSHA512.HashData(_secret, signed),
                _ => null,
            };
            return mac is null ? $"alg {Bounded(alg)} does not go with a shared secret"
                : CryptographicOperations.FixedTimeEquals(mac, signature) ? null : "bad signature";
        }

        if (_rsa is not null)
        {
            var (hash, padding) = alg switch
            {
                "RS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
                "RS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
                "RS512" => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
                "PS256" => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
                "PS384" => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
                "PS512" => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
                _ => (default, null!),
            };
            return padding is null ? $"alg {Bounded(alg)} does not go with an RSA key"
                : _rsa.VerifyData(signed, signature, hash, padding) ? null : "bad signature";
        }

        var expected = _ec!.KeySize switch { 256 => ("ES256", HashAlgorithmName.SHA256), 384 => ("ES384", HashAlgorithmName.SHA384), _ => ("ES512", HashAlgorithmName.SHA512) };
        return alg != expected.Item1 ? $"alg {Bounded(alg)} does not go with an EC P-{_ec.KeySize} key"
            : _ec.VerifyData(signed, signature, expected.Item2, DSASignatureFormat.IeeeP1363FixedFieldConcatenation) ? null : "bad signature";
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ec?.Dispose();
    }

    /// <summary>alg comes from the client: bounded and escaped for the log.</summary>
    private static string Bounded(string alg) => Logging.LogEscaper.Escape(alg.Length > 16 ? alg[..16] + "…" : alg);

    private static JwtKey FromPem(string path, string text)
    {
        if (text.Contains("-----BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            using var certificate = X509Certificate2.CreateFromPem(text);
            return certificate.GetRSAPublicKey() is { } rsaKey ? new JwtKey(null, rsaKey, null)
                : certificate.GetECDsaPublicKey() is { } ecKey ? new JwtKey(null, null, ecKey)
                : throw new TokenSourceException($"JWT key file '{path}': the certificate's key is neither RSA nor EC");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(text);
            return new JwtKey(null, rsa, null);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(text);
            return ec.KeySize is 256 or 384 or 521
                ? new JwtKey(null, null, ec)
                : throw new TokenSourceException($"JWT key file '{path}': EC keys must be P-256, P-384 or P-521");
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            ec.Dispose();
            throw new TokenSourceException($"JWT key file '{path}' holds no usable PEM key (RSA or EC, public or private): {ex.Message}", ex);
        }
    }

    private static JwtKey FromSecret(string path, string text)
    {
        var secret = new byte[Base64Url.GetMaxDecodedLength(text.Length)];
        if (text.Length == 0 || Base64Url.DecodeFromChars(text, secret, out _, out var written) != System.Buffers.OperationStatus.Done || written == 0)
        {
            throw new TokenSourceException(
                $"JWT key file '{path}' holds neither a PEM key nor a shared secret in base64url (as upstream reads it: the file's text is the JWK 'k')");
        }

        return new JwtKey(secret[..written], null, null);
    }
}
