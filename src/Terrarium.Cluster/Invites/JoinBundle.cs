using System.Text.Json.Serialization;

namespace Terrarium.Cluster.Invites;

/// <summary>
/// What `cluster join --wireguard` carries: the joiner's reserved mesh address, a first WireGuard key
/// (replaced right after joining, W-4), the mesh settings and every current member as a peer.
/// </summary>
public sealed class JoinBundle
{
    public const int CurrentVersion = 1;

    [JsonPropertyName("v")] public int Version { get; set; } = CurrentVersion;
    [JsonPropertyName("member")] public string Member { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";
    [JsonPropertyName("mesh_cidr")] public string MeshCidr { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("mtu")] public int Mtu { get; set; }
    [JsonPropertyName("interface")] public string Interface { get; set; } = "";
    [JsonPropertyName("private_key")] public string PrivateKey { get; set; } = "";
    [JsonPropertyName("inviter")] public string Inviter { get; set; } = "";
    [JsonPropertyName("peers")] public List<BundlePeer> Peers { get; set; } = [];
    [JsonPropertyName("member_config")] public List<BundleMemberConfig> MemberConfig { get; set; } = [];
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
    [JsonPropertyName("token_sha256")] public string TokenSha256 { get; set; } = "";

    public override string ToString() => $"JoinBundle {{ Member = {Member}, MeshAddress = {MeshAddress} }}";
}

public sealed class BundlePeer
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("public_key")] public string PublicKey { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";
    [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = "";
}

/// <summary>A member-specific LXD key the joiner must answer (e.g. storage-pool default source).</summary>
public sealed class BundleMemberConfig
{
    [JsonPropertyName("entity")] public string Entity { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("key")] public string Key { get; set; } = "";
}
