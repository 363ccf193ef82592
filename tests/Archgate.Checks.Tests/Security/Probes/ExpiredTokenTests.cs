using System.Security.Cryptography;
using System.Text;
using Archgate.Checks.Http;
using Archgate.Checks.Security.Probes;
using Archgate.Model;

namespace Archgate.Checks.Tests.Security.Probes;

public sealed class ExpiredTokenTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);

    private static string Token(string alg) =>
        $"{B64(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT"}"""))}.{B64(Encoding.UTF8.GetBytes("""{"sub":"7","role":"customer","exp":1900000000}"""))}.c2ln";

    [Theory]
    [InlineData("ES256")]
    [InlineData("RS256")]
    [InlineData("PS384")]
    public void A_token_minted_with_a_pem_key_verifies_with_its_public_key_and_keeps_the_claims(string alg)
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsa = RSA.Create(2048);
        var pem = alg.StartsWith("ES", StringComparison.Ordinal) ? ec.ExportPkcs8PrivateKeyPem() : rsa.ExportPkcs8PrivateKeyPem();

        var (token, problem) = ExpiredToken.Mint(Token(alg), new JwtSigningKey(null, pem), Now - TimeSpan.FromHours(1), Now);

        Assert.Null(problem);
        var parts = token!.Split('.');
        var data = Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}");
        var signature = Unb64(parts[2]);
        Assert.True(alg switch
        {
            "ES256" => ec.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            "RS256" => rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => rsa.VerifyData(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
        });
        Assert.Equal(Now - TimeSpan.FromHours(1), TokenSource.ExpiryOf(token));
        Assert.Contains("\"sub\":\"7\"", Encoding.UTF8.GetString(Unb64(parts[1])), StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_that_cannot_sign_the_tokens_algorithm_says_so()
    {
        var (token, problem) = ExpiredToken.Mint(Token("RS256"), new JwtSigningKey("hmac-secret", null), Now, Now);

        Assert.Null(token);
        Assert.Equal("the login's token is signed with 'RS256', which security.signingKey's secret cannot sign", problem);
    }

    private static string B64(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] Unb64(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
