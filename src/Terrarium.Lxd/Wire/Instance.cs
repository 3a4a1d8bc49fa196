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
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("expanded_config")] public Dictionary<string, string> ExpandedConfig { get; set; } = [];
    [JsonPropertyName("profiles")] public List<string> Profiles { get; set; } = [];
    [JsonPropertyName("expanded_devices")] public Dictionary<string, Dictionary<string, string>> ExpandedDevices { get; set; } = [];
    /// <summary>The instance's own devices (without its profiles').</summary>
    [JsonPropertyName("devices")] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("ephemeral")] public bool Ephemeral { get; set; }

    /// <summary>Only filled with ?recursion=2 (GET /1.0/instances) or from GET /1.0/instances/NAME/state.</summary>
    [JsonPropertyName("state")] public InstanceState? State { get; set; }
}

/// <summary>GET /1.0/instances/NAME/state (the network part Terrarium reads).</summary>
public sealed class InstanceState
{
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("pid")] public int Pid { get; set; }
    /// <summary>Per disk device; a dir pool without quotas reports none.</summary>
    [JsonPropertyName("disk")] public Dictionary<string, InstanceDiskState>? Disk { get; set; }
    [JsonPropertyName("network")] public Dictionary<string, InstanceNetworkState>? Network { get; set; }
}

public sealed class InstanceDiskState
{
    [JsonPropertyName("usage")] public long Usage { get; set; }
}

public sealed class InstanceNetworkState
{
    [JsonPropertyName("addresses")] public List<InstanceAddress> Addresses { get; set; } = [];
    [JsonPropertyName("host_name")] public string HostName { get; set; } = "";
}

public sealed class InstanceAddress
{
    [JsonPropertyName("family")] public string Family { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("netmask")] public string Netmask { get; set; } = "";
    [JsonPropertyName("scope")] public string Scope { get; set; } = "";
}

/// <summary>POST /1.0/instances (create from a local image alias, or copy an instance).</summary>
public sealed class InstancesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "container";
    /// <summary>Required for a copy to another member: the migration path does not read it from the source.</summary>
    [JsonPropertyName("architecture")] public string? Architecture { get; set; }
    [JsonPropertyName("description")] public string? Description { get; set; }
    [JsonPropertyName("ephemeral")] public bool? Ephemeral { get; set; }
    [JsonPropertyName("source")] public InstanceSource Source { get; set; } = new();
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("profiles")] public List<string>? Profiles { get; set; }
    [JsonPropertyName("devices")] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
}

public sealed class InstanceSource
{
    [JsonPropertyName("type")] public string Type { get; set; } = "image";
    [JsonPropertyName("alias")] public string? Alias { get; set; }
    /// <summary>Copy onto an existing (stopped) instance, sending only the differences (LXD API extension container_incremental_copy).</summary>
    [JsonPropertyName("refresh")] public bool? Refresh { get; set; }
    [JsonPropertyName("instance_only")] public bool? InstanceOnly { get; set; }
    /// <summary>Ignore the errors of copying a live tree (API extension instance_allow_inconsistent_copy).</summary>
    [JsonPropertyName("allow_inconsistent")] public bool? AllowInconsistent { get; set; }
    /// <summary>A "migration" source: "pull" (the target connects to <see cref="Operation"/>).</summary>
    [JsonPropertyName("mode")] public string? Mode { get; set; }
    /// <summary>The source's migration operation, as a URL on its member (https://ADDRESS:8443/1.0/operations/ID).</summary>
    [JsonPropertyName("operation")] public string? Operation { get; set; }
    /// <summary>The certificate the source's member presents (the cluster certificate).</summary>
    [JsonPropertyName("certificate")] public string? Certificate { get; set; }
    /// <summary>The websocket secrets of the source's operation. A secret: never logged.</summary>
    [JsonPropertyName("secrets")] public Dictionary<string, string>? Secrets { get; set; }
}

/// <summary>PUT /1.0/instances/NAME: the writable part.</summary>
public sealed class InstancePut
{
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("devices")] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
    [JsonPropertyName("profiles")] public List<string> Profiles { get; set; } = [];
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("ephemeral")] public bool Ephemeral { get; set; }
}

/// <summary>PUT /1.0/instances/NAME/state</summary>
public sealed class InstanceStatePut
{
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("timeout")] public int Timeout { get; set; } = 30;
    [JsonPropertyName("force")] public bool Force { get; set; }
    [JsonPropertyName("stateful")] public bool Stateful { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>POST /1.0/instances/NAME?target=MEMBER: move within the cluster.</summary>
public sealed class InstanceMovePost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("migration")] public bool Migration { get; set; } = true;
    [JsonPropertyName("live")] public bool Live { get; set; }
    [JsonPropertyName("instance_only")] public bool? InstanceOnly { get; set; }
    /// <summary>Send a running container without freezing it (API extension cluster_migration_inconsistent_copy).</summary>
    [JsonPropertyName("allow_inconsistent")] public bool? AllowInconsistent { get; set; }
}

/// <summary>PATCH /1.0/instances/NAME with only config keys.</summary>
public sealed class InstanceConfigPatch
{
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}
