using System.Text.Json.Serialization;

namespace Terrarium.Cluster.Tls;

/// <summary>
/// The cluster's one ACME account (`cluster tls configure`): every member orders with it, so a CA sees one client.
/// The account key is a secret held in LXD's database like every other record (docs/security.md says who reads it).
/// </summary>
public sealed class TlsSettingsRecord
{
    [JsonPropertyName("directory")] public string Directory { get; set; } = "";
    [JsonPropertyName("email")] public string Email { get; set; } = "";
    /// <summary>PEM roots the ACME server's own HTTPS certificate must chain to (a private CA); empty: the system's.</summary>
    [JsonPropertyName("ca_root")] public string? CaRoot { get; set; }
    [JsonPropertyName("account_key")] public string AccountKey { get; set; } = "";
    [JsonPropertyName("account_url")] public string AccountUrl { get; set; } = "";
    /// <summary>Plain-HTTP requests to a host that has a certificate are redirected to HTTPS.</summary>
    [JsonPropertyName("https_redirect")] public bool HttpsRedirect { get; set; }
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A route host's certificate, written only by the member holding that host's order lease: the certificate chain and
/// its key (every member's Traefik serves it), and how the last order went. A failed order keeps the certificate.
/// </summary>
public sealed class CertificateRecord
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("certificate")] public string? Certificate { get; set; }
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("not_before")] public DateTimeOffset? NotBefore { get; set; }
    [JsonPropertyName("not_after")] public DateTimeOffset? NotAfter { get; set; }
    [JsonPropertyName("issued_by")] public string? IssuedBy { get; set; }
    [JsonPropertyName("order_url")] public string? OrderUrl { get; set; }
    /// <summary>How many orders were completed for this host, all members together (renewals included).</summary>
    [JsonPropertyName("orders")] public int Orders { get; set; }
    [JsonPropertyName("failures")] public int Failures { get; set; }
    [JsonPropertyName("last_error")] public string? LastError { get; set; }
    [JsonPropertyName("failed_at")] public DateTimeOffset? FailedAt { get; set; }
}

/// <summary>
/// Who orders a host's certificate now. Inserted once (LXD's unique row names: the first member wins), kept alive by
/// its holder, taken over once expired. It carries what another member needs to finish the same order: the order's
/// URL, the certificate key the CSR is made from, and the HTTP-01 key authorizations every member's responder serves.
/// </summary>
public sealed class OrderLeaseRecord
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("holder")] public string Holder { get; set; } = "";
    [JsonPropertyName("taken_at")] public DateTimeOffset TakenAt { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
    [JsonPropertyName("order_url")] public string? OrderUrl { get; set; }
    [JsonPropertyName("key")] public string? Key { get; set; }
    [JsonPropertyName("challenges")] public List<ChallengeAnswer> Challenges { get; set; } = [];
    /// <summary>Members that held this order before (a take-over adds the one it replaced).</summary>
    [JsonPropertyName("previous")] public List<string> Previous { get; set; } = [];
}

/// <summary>An HTTP-01 challenge's token and the key authorization served at /.well-known/acme-challenge/TOKEN.</summary>
public sealed class ChallengeAnswer
{
    [JsonPropertyName("token")] public string Token { get; set; } = "";
    [JsonPropertyName("key_authorization")] public string KeyAuthorization { get; set; } = "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TlsSettingsRecord))]
[JsonSerializable(typeof(CertificateRecord))]
[JsonSerializable(typeof(OrderLeaseRecord))]
public sealed partial class TlsJsonContext : JsonSerializerContext;
