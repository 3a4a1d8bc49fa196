using System.Text.Json;
using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0/operations/ID</summary>
public sealed class Operation
{
    [JsonPropertyName("id")] public string Id { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("class")] public string Class { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("description")] public string Description { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("status")] public string Status { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("status_code")] public int StatusCode { get; set; }
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }
    [JsonPropertyName("may_cancel")] public bool MayCancel { get; set; }
    [JsonPropertyName("err")] public string Err { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("location")] public string Location { get; set => field = value ?? ""; } = "";

    // LXD status codes: 100 created, 103 running, 200 success, 400 failure, 401 cancelled.
    public bool IsFinal => StatusCode is 200 or 400 or 401;
    public bool Succeeded => StatusCode == 200;
}
