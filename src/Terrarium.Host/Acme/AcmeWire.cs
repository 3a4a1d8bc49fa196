using System.Text.Json.Serialization;

namespace Terrarium.Host.Acme;

// The JSON objects of RFC 8555 as a server sends and a client posts them. Every member a server sends is nullable:
// AcmeClient checks what it needs and names the missing member, instead of failing in the serializer.

internal sealed class AcmeDirectoryWire
{
    [JsonPropertyName("newNonce")] public string? NewNonce { get; set; }
    [JsonPropertyName("newAccount")] public string? NewAccount { get; set; }
    [JsonPropertyName("newOrder")] public string? NewOrder { get; set; }
}

internal sealed class AcmeProblemWire
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("detail")] public string? Detail { get; set; }
    [JsonPropertyName("status")] public int? Status { get; set; }
}

internal sealed class AcmeIdentifierWire
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("value")] public string? Value { get; set; }
}

internal sealed class AcmeOrderWire
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("authorizations")] public List<string>? Authorizations { get; set; }
    [JsonPropertyName("finalize")] public string? Finalize { get; set; }
    [JsonPropertyName("certificate")] public string? Certificate { get; set; }
    [JsonPropertyName("error")] public AcmeProblemWire? Error { get; set; }
}

internal sealed class AcmeChallengeWire
{
    [JsonPropertyName("type")] public string? Type { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("token")] public string? Token { get; set; }
    [JsonPropertyName("error")] public AcmeProblemWire? Error { get; set; }
}

internal sealed class AcmeAuthorizationWire
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("identifier")] public AcmeIdentifierWire? Identifier { get; set; }
    [JsonPropertyName("challenges")] public List<AcmeChallengeWire>? Challenges { get; set; }
}

internal sealed class AcmeNewAccountWire
{
    [JsonPropertyName("termsOfServiceAgreed")] public bool TermsOfServiceAgreed { get; set; }
    [JsonPropertyName("contact")] public List<string> Contact { get; set; } = [];
}

internal sealed class AcmeNewOrderWire
{
    [JsonPropertyName("identifiers")] public List<AcmeIdentifierWire> Identifiers { get; set; } = [];
}

internal sealed class AcmeFinalizeWire
{
    [JsonPropertyName("csr")] public string Csr { get; set; } = "";
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AcmeDirectoryWire))]
[JsonSerializable(typeof(AcmeProblemWire))]
[JsonSerializable(typeof(AcmeOrderWire))]
[JsonSerializable(typeof(AcmeAuthorizationWire))]
[JsonSerializable(typeof(AcmeChallengeWire))]
[JsonSerializable(typeof(AcmeNewAccountWire))]
[JsonSerializable(typeof(AcmeNewOrderWire))]
[JsonSerializable(typeof(AcmeFinalizeWire))]
internal sealed partial class AcmeJsonContext : JsonSerializerContext;
