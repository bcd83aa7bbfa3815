using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Websockify.Hosting;
using Websockify.Tokens;
using Xunit;

namespace Websockify.Tests.Unit.Tokens;

public sealed class JwtTokenApiTests : IDisposable
{
    private static readonly byte[] Secret = Encoding.ASCII.GetBytes("a shared secret of 32 bytes long");
    private readonly string _dir = Directory.CreateTempSubdirectory("jwt-").FullName;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A compact JWS signed by <paramref name="sign"/> over header.payload.</summary>
    internal static string Jwt(string alg, string claims, Func<byte[], byte[]> sign, string? header = null)
    {
        var signed = B64(header ?? $"{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}") + "." + B64(claims);
        return signed + "." + Base64Url.EncodeToString(sign(Encoding.ASCII.GetBytes(signed)));
    }

    private static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    private static byte[] Hs256(byte[] data) => HMACSHA256.HashData(Secret, data);

    private JwtTokenApi Open(string keyFileText)
    {
        var path = Path.Combine(_dir, "key");
        File.WriteAllText(path, keyFileText);
        return (JwtTokenApi)TokenPlugins.Find("JWTTokenApi").Parse(path, _dir)(new TokenSourceContext(_time, NullLogger.Instance));
    }

    private JwtTokenApi OpenSecret() => Open(Base64Url.EncodeToString(Secret) + "\n");

    [Fact]
    public void A_valid_hs256_token_gives_the_host_and_port_claims()
    {
        var found = OpenSecret().Check(Jwt("HS256", "{\"host\":\"10.0.0.5\",\"port\":5901,\"exp\":1800000060}", Hs256));
        Assert.Equal(TokenOutcome.Found, found.Outcome);
        Assert.Equal(("10.0.0.5", 5901), (found.Target!.Host, found.Target.Port));
        Assert.Equal(5902, OpenSecret().Check(Jwt("HS256", "{\"host\":\"h\",\"port\":\"5902\"}", Hs256)).Target!.Port);
    }

    [Theory]
    [InlineData("{\"host\":\"h\",\"port\":1,\"exp\":1800000000}", "expired")]
    [InlineData("{\"host\":\"h\",\"port\":1,\"exp\":1799999999.5}", "expired")]
    [InlineData("{\"host\":\"h\",\"port\":1,\"nbf\":1800000001}", "not valid yet")]
    [InlineData("{\"host\":\"h\",\"port\":1,\"exp\":\"soon\"}", "exp is not a number")]
    [InlineData("{\"host\":\"h\"}", "do not name a target")]
    [InlineData("{\"host\":\"h\",\"port\":0}", "do not name a target")]
    [InlineData("[1]", "not a JSON object")]
    public void Claims_that_do_not_hold_are_invalid(string claims, string reason)
    {
        var lookup = OpenSecret().Check(Jwt("HS256", claims, Hs256));
        Assert.Equal(TokenOutcome.Invalid, lookup.Outcome);
        Assert.Contains(reason, lookup.Detail);
    }

    [Fact]
    public void Not_before_and_expiry_follow_the_clock()
    {
        var source = OpenSecret();
        var token = Jwt("HS256", "{\"host\":\"h\",\"port\":1,\"nbf\":1800000010,\"exp\":1800000020}", Hs256);
        Assert.Equal(TokenOutcome.Invalid, source.Check(token).Outcome);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TokenOutcome.Found, source.Check(token).Outcome);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TokenOutcome.Invalid, source.Check(token).Outcome);
    }

    [Fact]
    public void A_wrong_key_unsigned_tokens_and_unknown_algorithms_are_refused()
    {
        var source = OpenSecret();
        Assert.Contains("bad signature", source.Check(Jwt("HS256", "{\"host\":\"h\",\"port\":1}", d => HMACSHA256.HashData(new byte[32], d))).Detail);
        var none = B64("{\"alg\":\"none\"}") + "." + B64("{\"host\":\"h\",\"port\":1}") + ".";
        Assert.Contains("alg none", source.Check(none).Detail);
        Assert.Contains("does not go with a shared secret", source.Check(Jwt("RS256", "{\"host\":\"h\",\"port\":1}", Hs256)).Detail);
        Assert.Contains("does not go with", source.Check(Jwt("HS1", "{\"host\":\"h\",\"port\":1}", Hs256)).Detail);
        Assert.Contains("critical extensions", source.Check(Jwt("HS256", "{\"host\":\"h\",\"port\":1}", Hs256, "{\"alg\":\"HS256\",\"crit\":[\"x\"]}")).Detail);
    }

    [Fact]
    public void Rs256_and_es256_verify_with_a_pem_public_key_and_alg_confusion_fails()
    {
        using var rsa = RSA.Create(2048);
        var rsaPem = rsa.ExportSubjectPublicKeyInfoPem();
        var rsaSource = Open(rsaPem);
        var rs256 = Jwt("RS256", "{\"host\":\"h\",\"port\":7}", d => rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        Assert.Equal(7, rsaSource.Check(rs256).Target!.Port);
        var ps256 = Jwt("PS256", "{\"host\":\"h\",\"port\":8}", d => rsa.SignData(d, HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.Equal(8, rsaSource.Check(ps256).Target!.Port);

        // The attack: the public key is public, so an HS256 "signature" keyed with its PEM text is easy to make.
        var confused = Jwt("HS256", "{\"host\":\"evil\",\"port\":22}", d => HMACSHA256.HashData(Encoding.ASCII.GetBytes(rsaPem), d));
        Assert.Contains("does not go with an RSA key", rsaSource.Check(confused).Detail);

        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var ecSource = Open(ec.ExportSubjectPublicKeyInfoPem());
        var es256 = Jwt("ES256", "{\"host\":\"h\",\"port\":9}", d => ec.SignData(d, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.Equal(9, ecSource.Check(es256).Target!.Port);
        Assert.Contains("does not go with an EC P-256 key", ecSource.Check(Jwt("ES384", "{\"host\":\"h\",\"port\":9}", _ => new byte[96])).Detail);
        Assert.Contains("bad signature", rsaSource.Check(Jwt("RS256", "{\"host\":\"h\",\"port\":7}", _ => new byte[256])).Detail);
    }

    [Fact]
    public void Encrypted_and_malformed_tokens_are_invalid_with_a_reason()
    {
        var source = OpenSecret();
        Assert.Contains("JWE", source.Check("a.b.c.d.e").Detail);
        Assert.Contains("JWE", source.Check(Jwt("HS256", "{}", Hs256, "{\"alg\":\"dir\",\"enc\":\"A256GCM\"}")).Detail);
        Assert.Contains("three base64url parts", source.Check("not-a-jwt").Detail);
        Assert.Contains("three base64url parts", source.Check("a.b!.c").Detail);
        Assert.Contains("not JSON", source.Check(B64("{") + "." + B64("{}") + ".").Detail);
        Assert.Contains("longer than", source.Check(new string('a', JwtTokenApi.MaxTokenLength + 1)).Detail);
    }

    [Fact]
    public void The_key_file_is_checked_at_start_and_read_again_on_reload()
    {
        Assert.Throws<TokenSourceException>(() => Open("not base64url!"));
        Assert.Throws<TokenSourceException>(() => Open("-----BEGIN PUBLIC KEY-----\ngarbage\n-----END PUBLIC KEY-----\n"));
        var source = OpenSecret();
        var other = RandomNumberGenerator.GetBytes(32);
        var token = Jwt("HS256", "{\"host\":\"h\",\"port\":1}", d => HMACSHA256.HashData(other, d));
        Assert.Equal(TokenOutcome.Invalid, source.Check(token).Outcome);

        File.WriteAllText(Path.Combine(_dir, "key"), Base64Url.EncodeToString(other));
        ((IReloadable)source).Reload(NullLogger.Instance);
        Assert.Equal(TokenOutcome.Found, source.Check(token).Outcome);

        File.WriteAllText(Path.Combine(_dir, "key"), "%%%");
        ((IReloadable)source).Reload(NullLogger.Instance);
        Assert.Equal(TokenOutcome.Found, source.Check(token).Outcome); // a broken file keeps the key
    }
}
