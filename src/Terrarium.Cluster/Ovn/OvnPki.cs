using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Ovn;

/// <summary>A private key and its certificate, both PEM.</summary>
public sealed record PemPair(string CertificatePem, string PrivateKeyPem)
{
    public override string ToString() => "PemPair { (certificate and private key hidden) }";
}

/// <summary>
/// O-3: the OVN database PKI, made in-process (no openssl, no ovs-pki): a cluster CA and one certificate per
/// member. Each member makes its own key and a certificate request; only the CA's holder signs, so no private
/// key ever travels. ECDSA P-256 keeps generation instant (RSA 2048 took 1.5 s per certificate in the lab).
/// </summary>
public static class OvnPki
{
    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan MemberLifetime = TimeSpan.FromDays(825);

    public static PemPair CreateCa(DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Terrarium OVN CA, O=Terrarium", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var cert = request.CreateSelfSigned(now.AddMinutes(-5), now + CaLifetime);
        return new PemPair(cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>A member's own key and the request the CA signs (the key stays on the member).</summary>
    public static (string PrivateKeyPem, string RequestPem) CreateMemberRequest(string member)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={member}, O=Terrarium", key, HashAlgorithmName.SHA256);
        return (key.ExportPkcs8PrivateKeyPem(), request.CreateSigningRequestPem());
    }

    /// <summary>Signs a member's request; the subject must name that member (a request cannot claim another).</summary>
    public static string Sign(PemPair ca, string requestPem, string member, DateTimeOffset now)
    {
        CertificateRequest request;
        try
        {
            request = CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException)
        {
            throw new InputException($"The OVN certificate request of {member} is not a valid PKCS#10 request.");
        }
        if (request.SubjectName.Name != $"CN={member}, O=Terrarium")
            throw new InputException($"The OVN certificate request of {member} names '{request.SubjectName.Name}'.");
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false)); // server and client: raft peers are both
        using var caCert = X509Certificate2.CreateFromPem(ca.CertificatePem, ca.PrivateKeyPem);
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var issued = request.Create(caCert, now.AddMinutes(-5), Min(now + MemberLifetime, caCert.NotAfter), serial);
        return issued.ExportCertificatePem();
    }

    /// <summary>
    /// The signer's check (O-3): a member that asked (a request is published) gets a certificate when it has none, or
    /// one of another CA, for another name, expiring within a month, or for a key other than the requested one.
    /// </summary>
    public static bool NeedsSigning(string? currentPem, string caCertificatePem, string member, string? requestPem, DateTimeOffset now) =>
        requestPem is { Length: > 0 } &&
        (currentPem is null || !IsValidFor(currentPem, caCertificatePem, member, now) || !Answers(currentPem, requestPem));

    /// <summary>True when <paramref name="certificatePem"/> was issued by this CA, is current and names the member.</summary>
    public static bool IsValidFor(string certificatePem, string caCertificatePem, string member, DateTimeOffset now)
    {
        try
        {
            using var cert = X509Certificate2.CreateFromPem(certificatePem);
            using var ca = X509Certificate2.CreateFromPem(caCertificatePem);
            if (cert.GetNameInfo(X509NameType.SimpleName, false) != member) return false;
            if (now < cert.NotBefore || now > cert.NotAfter.AddDays(-30)) return false; // re-issue a month early
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            return chain.Build(cert);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>The public key inside a request and a certificate match (the certificate answers that request).</summary>
    public static bool Answers(string certificatePem, string requestPem)
    {
        try
        {
            using var cert = X509Certificate2.CreateFromPem(certificatePem);
            var request = CertificateRequest.LoadSigningRequestPem(requestPem, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.SkipSignatureValidation);
            return cert.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(request.PublicKey.EncodedKeyValue.RawData);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTime b) => a.UtcDateTime < b.ToUniversalTime() ? a : new DateTimeOffset(b.ToUniversalTime());
}
