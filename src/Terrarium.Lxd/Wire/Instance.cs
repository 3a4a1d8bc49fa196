using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0/instances?recursion=1 element (the fields Terrarium reads).</summary>
public sealed class Instance
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("status_code")] public int StatusCode { get; set; }
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "";
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("expanded_config")] public Dictionary<string, string> ExpandedConfig { get; set; } = [];
    [JsonPropertyName("profiles")] public List<string> Profiles { get; set; } = [];
}

/// <summary>POST /1.0/instances (create from a local image alias).</summary>
public sealed class InstancesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "container";
    [JsonPropertyName("source")] public InstanceSource Source { get; set; } = new();
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("profiles")] public List<string>? Profiles { get; set; }
}

public sealed class InstanceSource
{
    [JsonPropertyName("type")] public string Type { get; set; } = "image";
    [JsonPropertyName("alias")] public string? Alias { get; set; }
}

/// <summary>PUT /1.0/instances/NAME/state</summary>
public sealed class InstanceStatePut
{
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("timeout")] public int Timeout { get; set; } = 30;
    [JsonPropertyName("force")] public bool Force { get; set; }
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
}

/// <summary>POST /1.0/instances/NAME?target=MEMBER: move within the cluster.</summary>
public sealed class InstanceMovePost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("migration")] public bool Migration { get; set; } = true;
    [JsonPropertyName("live")] public bool Live { get; set; }
}
