using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>POST /1.0/storage-pools</summary>
public sealed class StoragePoolsPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>GET /1.0/storage-pools/NAME (the fields Terrarium reads).</summary>
public sealed class StoragePool
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("driver")] public string Driver { get; set; } = "";
}

/// <summary>GET /1.0/storage-pools/NAME/resources?target=MEMBER</summary>
public sealed class StoragePoolResources
{
    [JsonPropertyName("space")] public StoragePoolSpace Space { get; set; } = new();
}

public sealed class StoragePoolSpace
{
    [JsonPropertyName("used")] public long Used { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
}

/// <summary>POST /1.0/networks</summary>
public sealed class NetworksPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>GET/PUT /1.0/profiles/NAME</summary>
public sealed class Profile
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("devices")] public Dictionary<string, Dictionary<string, string>> Devices { get; set; } = [];
}

/// <summary>GET/PUT /1.0/projects/NAME (Terrarium keeps its shared configuration in a project's config).</summary>
public sealed class Project
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>POST /1.0/images/aliases</summary>
public sealed class ImageAliasesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("target")] public string Target { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
}

/// <summary>POST /1.0/certificates: trust a client certificate (PEM body without armour).</summary>
public sealed class CertificatesPost
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "client";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
}

/// <summary>The config map of any entity (storage pool, network) when only its keys matter.</summary>
public sealed class ConfiguredEntity
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>GET /1.0/resources (the memory part Terrarium reads; ?target= picks the member).</summary>
public sealed class HostResources
{
    [JsonPropertyName("memory")] public MemoryResources Memory { get; set; } = new();
}

public sealed class MemoryResources
{
    [JsonPropertyName("used")] public long Used { get; set; }
    [JsonPropertyName("total")] public long Total { get; set; }
}

/// <summary>GET /1.0/networks/NAME</summary>
public sealed class Network
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("managed")] public bool Managed { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>PUT /1.0/networks/NAME</summary>
public sealed class NetworkPut
{
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}

/// <summary>GET /1.0/warnings?recursion=1 element (LXD records e.g. "Network unavailable" per member).</summary>
public sealed class Warning
{
    [JsonPropertyName("uuid")] public string Uuid { get; set; } = "";
    [JsonPropertyName("type")] public string Type { get; set; } = "";
    [JsonPropertyName("location")] public string Location { get; set; } = "";
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("last_message")] public string LastMessage { get; set; } = "";
    /// <summary>How often it was recorded: LXD adds one at each failed retry (lxd/db/warnings.go UpdateWarningState, lxd-5.0.2).</summary>
    [JsonPropertyName("count")] public long Count { get; set; }
}
