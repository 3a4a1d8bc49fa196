using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0</summary>
public sealed class ServerInfo
{
    [JsonPropertyName("api_version")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("auth")] public string Auth { get; set; } = "";
    [JsonPropertyName("api_extensions")] public List<string> ApiExtensions { get; set; } = [];
    /// <summary>
    /// Server keys as text. LXD 5.0/5.21 render a set hidden key (core.trust_password, loki.auth.password) as JSON
    /// true (lxd/config/map.go Dump): it reads as "true" here and must never be written back, so server config
    /// is only ever changed by PATCH with the changed keys (<see cref="LxdClient.SetServerConfigAsync"/>).
    /// </summary>
    [JsonPropertyName("config")]
    [JsonConverter(typeof(LxdConfigMapConverter))]
    public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("environment")] public ServerEnvironment Environment { get; set; } = new();
}

public sealed class ServerEnvironment
{
    /// <summary>"lxd" or "incus"; absent on LXD before 5.x (read as LXD).</summary>
    [JsonPropertyName("server")] public string Server { get; set; } = "";
    [JsonPropertyName("server_lts")] public bool ServerLts { get; set; }
    [JsonPropertyName("server_version")] public string ServerVersion { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("server_clustered")] public bool ServerClustered { get; set; }
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("kernel_version")] public string KernelVersion { get; set; } = "";
    [JsonPropertyName("storage")] public string Storage { get; set; } = "";
}

/// <summary>PATCH /1.0 body: only the keys that change ("" unsets a key, as `lxc config unset` does).</summary>
public sealed class ServerPut
{
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}
