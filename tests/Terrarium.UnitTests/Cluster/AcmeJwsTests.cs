using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Terrarium.Cluster.Tls;

namespace Terrarium.UnitTests.Cluster;

public class AcmeJwsTests
{
    // The P-256 public key of RFC 7515 appendix A.3.
    private const string RfcX = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
    private const string RfcY = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

    private static ECDsa RfcKey() => ECDsa.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = Base64Url.DecodeFromChars(RfcX), Y = Base64Url.DecodeFromChars(RfcY) },
    });

    [Fact]
    public void The_jwk_is_the_rfc7638_canonical_form_with_sorted_members_and_no_whitespace()
    {
        using var key = RfcKey();
        Assert.Equal($$"""{"crv":"P-256","kty":"EC","x":"{{RfcX}}","y":"{{RfcY}}"}""", AcmeJws.Jwk(key));
    }

    [Fact]
    public void The_thumbprint_is_the_base64url_sha256_of_the_canonical_jwk()
    {
        using var key = RfcKey();
        var expected = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(AcmeJws.Jwk(key))));
        Assert.Equal(expected, AcmeJws.Thumbprint(key));
        // Computed apart from .NET (Python hashlib) over the same canonical JWK.
        Assert.Equal("oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U", AcmeJws.Thumbprint(key));
    }

    [Fact]
    public void The_key_authorization_is_the_token_a_dot_and_the_thumbprint()
    {
        using var key = RfcKey();
        Assert.Equal("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.oKIywvGUpTVTyxMQ3bwIIeQUudfr_CkLMjCE19ECD-U",
            AcmeJws.KeyAuthorization("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", key));
    }

    [Fact]
    public void A_key_on_another_curve_is_refused_because_es256_is_p256_only()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Throws<ArgumentException>(() => AcmeJws.Jwk(key));
        Assert.Throws<ArgumentException>(() => AcmeJws.Sign(key, null, "n", "https://acme.test/x", "{}"));
    }

    [Fact]
    public void A_request_before_the_account_exists_carries_the_jwk_and_verifies_with_the_public_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jws = Decode(AcmeJws.Sign(key, kid: null, "nonce-1", "https://acme.test/new-acct", """{"termsOfServiceAgreed":true}"""));
        Assert.Equal(["alg", "jwk", "nonce", "url"], jws.Header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ES256", jws.Header.GetProperty("alg").GetString());
        Assert.Equal(AcmeJws.Jwk(key), jws.Header.GetProperty("jwk").GetRawText());
        Assert.Equal("nonce-1", jws.Header.GetProperty("nonce").GetString());
        Assert.Equal("https://acme.test/new-acct", jws.Header.GetProperty("url").GetString());
        Assert.Equal("""{"termsOfServiceAgreed":true}""", jws.Payload);
        Assert.Equal(64, jws.Signature.Length);
        Assert.True(key.VerifyData(jws.SigningInput, jws.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void A_request_of_a_registered_account_names_it_by_kid_and_not_by_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jws = Decode(AcmeJws.Sign(key, "https://acme.test/acct/7", "n\"2", "https://acme.test/order", """{"identifiers":[]}"""));
        Assert.Equal(["alg", "kid", "nonce", "url"], jws.Header.EnumerateObject().Select(p => p.Name));
        Assert.Equal("https://acme.test/acct/7", jws.Header.GetProperty("kid").GetString());
        Assert.Equal("n\"2", jws.Header.GetProperty("nonce").GetString());
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.True(key.VerifyData(jws.SigningInput, jws.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(other.VerifyData(jws.SigningInput, jws.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void A_post_as_get_has_the_empty_string_as_payload()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var text = AcmeJws.Sign(key, "https://acme.test/acct/7", "n3", "https://acme.test/order/1", payloadJson: null);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("", document.RootElement.GetProperty("payload").GetString());
        Assert.Equal(["protected", "payload", "signature"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.True(key.VerifyData(Decode(text).SigningInput, Decode(text).Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_signed_request_never_contains_the_private_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var secret = Base64Url.EncodeToString(key.ExportParameters(includePrivateParameters: true).D);
        var text = AcmeJws.Sign(key, null, "n", "https://acme.test/new-acct", "{}");
        Assert.DoesNotContain(secret, text);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(JsonDocument.Parse(text).RootElement.GetProperty("protected").GetString())));
    }

    [Fact]
    public void The_csr_names_the_first_host_as_cn_and_every_host_as_a_dns_san()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var der = AcmeJws.CertificateRequest(key, ["app.example.test", "www.example.test"]);
        // Extensions are only read back on request (they would otherwise be trusted unchecked by a CA).
        var request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("CN=app.example.test", request.SubjectName.Name);
        // A loaded request keeps its extensions as raw ones; read the SAN (2.5.29.17) back from its bytes.
        var san = new X509SubjectAlternativeNameExtension(Assert.Single(request.CertificateExtensions, e => e.Oid?.Value == "2.5.29.17").RawData);
        Assert.Equal(["app.example.test", "www.example.test"], san.EnumerateDnsNames());
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), request.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_host_longer_than_a_common_name_may_be_is_named_by_its_san_alone()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var host = string.Join('.', Enumerable.Repeat("label-of-twenty-chars", 4)) + ".example.test"; // 100 characters
        var request = CertificateRequest.LoadSigningRequest(AcmeJws.CertificateRequest(key, [host]), HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.UnsafeLoadCertificateExtensions);
        Assert.Equal("", request.SubjectName.Name);
        var san = new X509SubjectAlternativeNameExtension(Assert.Single(request.CertificateExtensions, e => e.Oid?.Value == "2.5.29.17").RawData);
        Assert.Equal([host], san.EnumerateDnsNames());
    }

    [Fact]
    public void A_csr_without_a_host_is_refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<ArgumentException>(() => AcmeJws.CertificateRequest(key, []));
    }

    private sealed record DecodedJws(JsonElement Header, string Payload, byte[] Signature, byte[] SigningInput);

    private static DecodedJws Decode(string flattened)
    {
        var root = JsonDocument.Parse(flattened).RootElement;
        var protectedPart = root.GetProperty("protected").GetString()!;
        var payloadPart = root.GetProperty("payload").GetString()!;
        var header = JsonDocument.Parse(Base64Url.DecodeFromChars(protectedPart)).RootElement;
        return new DecodedJws(header, Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payloadPart)),
            Base64Url.DecodeFromChars(root.GetProperty("signature").GetString()!), Encoding.ASCII.GetBytes($"{protectedPart}.{payloadPart}"));
    }
}
