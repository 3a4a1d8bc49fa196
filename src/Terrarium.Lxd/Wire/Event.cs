using System.Text.Json;
using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>One message of the /1.0/events websocket.</summary>
public sealed class LxdEvent
{
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("timestamp")] public DateTimeOffset Timestamp { get; set; }
    [JsonPropertyName("location")] public string Location { get; set; } = "";
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("metadata")] public JsonElement Metadata { get; set; }

    /// <summary>For lifecycle events: e.g. "instance-started", "project-updated".</summary>
    public string? LifecycleAction =>
        Type == "lifecycle" && Metadata.ValueKind == JsonValueKind.Object &&
        Metadata.TryGetProperty("action", out var a) ? a.GetString() : null;

    /// <summary>For lifecycle events: the API path of the entity, e.g. /1.0/instances/c1.</summary>
    public string? LifecycleSource =>
        Type == "lifecycle" && Metadata.ValueKind == JsonValueKind.Object &&
        Metadata.TryGetProperty("source", out var s) ? s.GetString() : null;
}
