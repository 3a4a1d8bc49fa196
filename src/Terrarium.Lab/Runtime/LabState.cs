using System.Text.Json;
using System.Text.Json.Serialization;
using Terrarium.Lab.Topology;

namespace Terrarium.Lab.Runtime;

/// <summary>What `lab up` made, persisted in ROOT/lab.json so that `lab status` and `lab down` find it again.</summary>
public sealed class LabState
{
    [JsonPropertyName("prefix")] public string Prefix { get; set; } = "";
    [JsonPropertyName("nodes")] public int Nodes { get; set; }
    [JsonPropertyName("underlay")] public string Underlay { get; set; } = "";
    [JsonPropertyName("mode")] public LabMode Mode { get; set; }
    [JsonPropertyName("server")] public LabServer Server { get; set; }
    /// <summary>The `--lxd-behaviour` the nodes' skew proxies answer as, null without proxies.</summary>
    [JsonPropertyName("lxd_behaviour")] public string? Behaviour { get; set; }
    [JsonPropertyName("created")] public DateTimeOffset Created { get; set; }

    public static LabState? Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize(File.ReadAllText(path), LabJsonContext.Default.LabState) : null;

    public void Save(string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(this, LabJsonContext.Default.LabState));
}

/// <summary>`lab status --output json` rows.</summary>
public sealed record LabNodeStatus(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("namespace")] string Namespace,
    [property: JsonPropertyName("address")] string Address,
    [property: JsonPropertyName("lxd_socket")] string LxdSocket,
    [property: JsonPropertyName("terrarium_root")] string TerrariumRoot,
    [property: JsonPropertyName("daemon_pid")] int? DaemonPid,
    [property: JsonPropertyName("lxd")] string Lxd,
    [property: JsonPropertyName("clustered")] bool Clustered,
    [property: JsonPropertyName("instances")] int? Instances,
    [property: JsonPropertyName("mesh_address")] string? MeshAddress,
    [property: JsonPropertyName("agent_pid")] int? AgentPid);

[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(LabState))]
[JsonSerializable(typeof(List<LabNodeStatus>))]
public sealed partial class LabJsonContext : JsonSerializerContext;
