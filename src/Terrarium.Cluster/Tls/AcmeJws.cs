using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Pkcs10Request = System.Security.Cryptography.X509Certificates.CertificateRequest;

namespace Terrarium.Cluster.Tls;

/// <summary>
/// The signed requests of RFC 8555 (ACME): an account key's JWK and thumbprint, the flattened JWS every POST carries,
/// HTTP-01 key authorizations and the CSR an order is finalized with. Pure: the ACME client in Terrarium.Host sends
/// what this builds. Only P-256 keys (ES256), which every ACME server accepts; nothing here ever prints a private key.
/// </summary>
public static class AcmeJws
{
    private const string P256Oid = "1.2.840.10045.3.1.7";
    public const int MaxCommonName = 64;

    /// <summary>The public key as RFC 7638's canonical JWK: required members only, sorted, no whitespace.</summary>
    public static string Jwk(ECDsa key)
    {
        var point = PublicPoint(key);
        // Base64url has no character JSON must escape, so plain concatenation is the canonical form.
        return $$"""{"crv":"P-256","kty":"EC","x":"{{Base64Url.EncodeToString(point.X)}}","y":"{{Base64Url.EncodeToString(point.Y)}}"}""";
    }

    /// <summary>RFC 7638 thumbprint: base64url(SHA-256(canonical JWK)).</summary>
    public static string Thumbprint(ECDsa key) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk(key))));

    /// <summary>What an HTTP-01 responder serves for a challenge token (RFC 8555 §8.1).</summary>
    public static string KeyAuthorization(string token, ECDsa key)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return $"{token}.{Thumbprint(key)}";
    }

    /// <summary>
    /// A flattened JWS (RFC 7515 §7.2.2) signed with ES256. The header names the account by <paramref name="kid"/>,
    /// or carries the public key when there is no account yet (newAccount, RFC 8555 §6.2). A null payload is a
    /// POST-as-GET, whose payload is the empty string (RFC 8555 §6.3).
    /// </summary>
    public static string Sign(ECDsa key, string? kid, string nonce, string url, string? payloadJson)
    {
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        ArgumentException.ThrowIfNullOrEmpty(url);
        var protectedHeader = Base64Url.EncodeToString(ProtectedHeader(key, kid, nonce, url));
        var payload = payloadJson is null ? "" : Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payloadJson));
        var signature = key.SignData(Encoding.ASCII.GetBytes($"{protectedHeader}.{payload}"), HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("protected", protectedHeader);
            json.WriteString("payload", payload);
            json.WriteString("signature", Base64Url.EncodeToString(signature));
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A DER PKCS#10 request for <paramref name="hosts"/>: the first is the subject's CN, all are DNS SANs.</summary>
    public static byte[] CertificateRequest(ECDsa certificateKey, IReadOnlyList<string> hosts)
    {
        if (hosts.Count == 0) throw new ArgumentException("A certificate request needs at least one host.", nameof(hosts));
        var subject = new X500DistinguishedNameBuilder();
        // X.509 caps a common name at 64 characters (RFC 5280 ub-common-name); a longer host is named by its SAN alone.
        if (hosts[0].Length <= MaxCommonName) subject.AddCommonName(hosts[0]);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var host in hosts) names.AddDnsName(host);
        var request = new Pkcs10Request(subject.Build(), certificateKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(names.Build());
        return request.CreateSigningRequest();
    }

    private static byte[] ProtectedHeader(ECDsa key, string? kid, string nonce, string url)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("alg", "ES256");
            if (kid is null)
            {
                json.WritePropertyName("jwk");
                json.WriteRawValue(Jwk(key), skipInputValidation: true);
            }
            else json.WriteString("kid", kid);
            json.WriteString("nonce", nonce);
            json.WriteString("url", url);
            json.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static ECPoint PublicPoint(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        var curve = parameters.Curve;
        // ES256 is defined on P-256 only; another curve would be signed with the wrong algorithm name.
        var isP256 = curve.IsNamed && (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256");
        if (!isP256 || parameters.Q.X is not { Length: 32 } || parameters.Q.Y is not { Length: 32 })
            throw new ArgumentException("An ACME account key must be an ECDSA P-256 key.", nameof(key));
        return parameters.Q;
    }
}
