using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0</summary>
public sealed class ServerInfo
{
    [JsonPropertyName("api_version")] public string ApiVersion { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("auth")] public string Auth { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("api_extensions")] public List<string> ApiExtensions { get; set => field = value ?? []; } = [];
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set => field = value ?? []; } = [];
    [JsonPropertyName("environment")] public ServerEnvironment Environment { get; set => field = value ?? new(); } = new();
}

public sealed class ServerEnvironment
{
    [JsonPropertyName("server_version")] public string ServerVersion { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("server_name")] public string ServerName { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("server_clustered")] public bool ServerClustered { get; set; }
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set => field = value ?? []; } = [];
    [JsonPropertyName("certificate")] public string Certificate { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("kernel_version")] public string KernelVersion { get; set => field = value ?? ""; } = "";
    [JsonPropertyName("storage")] public string Storage { get; set => field = value ?? ""; } = "";
}

/// <summary>PUT/PATCH /1.0 body: only the server configuration is writable.</summary>
public sealed class ServerPut
{
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set => field = value ?? []; } = [];
}
