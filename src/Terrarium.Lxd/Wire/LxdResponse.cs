using System.Text.Json;
using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>The envelope every LXD REST reply uses (sync, async and error alike).</summary>
public sealed class LxdResponse
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("status_code")] public int StatusCode { get; set; }
    [JsonPropertyName("operation")] public string? Operation { get; set; }
    [JsonPropertyName("error_code")] public int ErrorCode { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
}
