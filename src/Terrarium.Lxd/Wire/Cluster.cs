using System.Text.Json.Serialization;

namespace Terrarium.Lxd.Wire;

/// <summary>GET /1.0/cluster</summary>
public sealed class ClusterInfo
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
    [JsonPropertyName("member_config")] public List<ClusterMemberConfigKey> MemberConfig { get; set; } = [];
}

/// <summary>PUT /1.0/cluster: bootstrap (enabled + server_name) or join (plus address and token).</summary>
public sealed class ClusterPut
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("enabled")] public bool Enabled { get; set; }
    [JsonPropertyName("cluster_address")] public string? ClusterAddress { get; set; }
    [JsonPropertyName("cluster_certificate")] public string? ClusterCertificate { get; set; }
    [JsonPropertyName("server_address")] public string? ServerAddress { get; set; }
    // The whole encoded join token goes in both fields: LXD 5.0.x and 5.21.0-5.21.1 read only cluster_password,
    // LXD >= 6.1 reads only cluster_token (6.3 removed cluster_password) and Incus only has cluster_token; every
    // daemon ignores the field it does not know (lxd/api_cluster.go clusterPutJoin, shared/api/cluster.go).
    [JsonPropertyName("cluster_password")] public string? ClusterPassword { get; set; }
    [JsonPropertyName("cluster_token")] public string? ClusterToken { get; set; }
    [JsonPropertyName("member_config")] public List<ClusterMemberConfigKey>? MemberConfig { get; set; }
}

public sealed class ClusterMemberConfigKey
{
    [JsonPropertyName("entity")] public string Entity { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string Key { get; set; } = "";
    [JsonPropertyName("value")] public string Value { get; set; } = "";
    [JsonPropertyName("description")] public string? Description { get; set; }
}

/// <summary>GET /1.0/cluster/members?recursion=1 element.</summary>
public sealed class ClusterMember
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("url")] public string Url { get; set; } = "";
    [JsonPropertyName("database")] public bool Database { get; set; }
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("roles")] public List<string> Roles { get; set; } = [];
    [JsonPropertyName("architecture")] public string Architecture { get; set; } = "";
    [JsonPropertyName("failure_domain")] public string FailureDomain { get; set; } = "";
    [JsonPropertyName("description")] public string Description { get; set; } = "";
    [JsonPropertyName("config")] public Dictionary<string, string> Config { get; set; } = [];
    [JsonPropertyName("groups")] public List<string> Groups { get; set; } = [];
}

/// <summary>POST /1.0/cluster/members: ask for a join token.</summary>
public sealed class ClusterMembersPost
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
}

/// <summary>Metadata of the operation that POST /1.0/cluster/members returns (camelCase on the wire).</summary>
public sealed class JoinTokenOperationMetadata
{
    [JsonPropertyName("serverName")] public string ServerName { get; set; } = "";
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("expiresAt")] public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>The join token as lxc prints it: base64 of this JSON.</summary>
public sealed class ClusterJoinToken
{
    [JsonPropertyName("server_name")] public string ServerName { get; set; } = "";
    [JsonPropertyName("secret")] public string Secret { get; set; } = "";
    [JsonPropertyName("fingerprint")] public string Fingerprint { get; set; } = "";
    [JsonPropertyName("addresses")] public List<string> Addresses { get; set; } = [];
    [JsonPropertyName("expires_at")] public DateTimeOffset? ExpiresAt { get; set; }
}

/// <summary>POST /1.0/cluster/members/NAME/state (evacuate / restore).</summary>
public sealed class ClusterMemberStatePost
{
    [JsonPropertyName("action")] public string Action { get; set; } = "";
    [JsonPropertyName("mode")] public string? Mode { get; set; }
}
