using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0</summary>
public sealed class ServerInfo
{
    [JsonPropertyName("api_version")] public string ApiVersion { get; set; } = "";
    [JsonPropertyName("auth")] public string Auth { get; set; } = "";
    [JsonPropertyName("api_extensions")] public List<string> ApiExtensions { get; set; } = [];
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("environment")] public ServerEnvironment Environment { get; set; } = new();
}

public sealed class ServerEnvironment
{
    [JsonPropertyName("server_version")] public string ServerVersion { get; set; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("server_clustered")] public bool ServerClustered { get; set; }
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("kernel_version")] public string KernelVersion { get; set; } = "";
    [JsonPropertyName("storage")] public string Storage { get; set; } = "";
}

/// <summary>PUT/PATCH /1.0 body: only the server configuration is writable.</summary>
public sealed class ServerPut
{
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
}
