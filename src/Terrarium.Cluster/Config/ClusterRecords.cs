using System.Text.Json.Serialization;

namespace Terrarium.Cluster.Config;

/// <summary>S-1: cluster-wide settings, written once by `cluster init`.</summary>
public sealed class ClusterSettingsRecord
{
    [JsonPropertyName("schema")] public int Schema { get; set; } = SharedConfig.SchemaVersion;
    [JsonPropertyName("mesh_cidr")] public string MeshCidr { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("mtu")] public int Mtu { get; set; }
    [JsonPropertyName("interface")] public string Interface { get; set; } = "";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One member of the mesh; written by that member (init, join, key rotation), removed by `cluster remove`.</summary>
public sealed class MemberRecord
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("public_key")] public string PublicKey { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";
    [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = "";
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>O-3: the member's OVN certificate request (public); its key never leaves the member.</summary>
    [JsonPropertyName("ovn_request")] public string? OvnRequest { get; set; }

    /// <summary>The address of the member's own port on terrarium-ovn (its host, reached through OVN), and since when.</summary>
    [JsonPropertyName("ovn_host_address")] public string? OvnHostAddress { get; set; }
    [JsonPropertyName("ovn_host_since")] public DateTimeOffset? OvnHostSince { get; set; }
}

/// <summary>
/// O-2/O-3: the OVN layer of the cluster: the CA certificate (its key stays on <see cref="Signer"/>), the planned
/// central set and whether the raft clusters were bootstrapped.
/// </summary>
public sealed class OvnRecord
{
    [JsonPropertyName("ca_certificate")] public string CaCertificate { get; set; } = "";
    [JsonPropertyName("signer")] public string Signer { get; set; } = "";
    [JsonPropertyName("central")] public List<string> Central { get; set; } = [];
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The LXD network that gives terrarium-ovn its way out (a managed bridge such as lxdbr0).</summary>
    [JsonPropertyName("uplink")] public string Uplink { get; set; } = DefaultUplink;

    /// <summary>At most this many central members (odd; `cluster ovn configure --max`).</summary>
    [JsonPropertyName("max_central")] public int MaxCentral { get; set; } = Ovn.OvnCentralPlanner.DefaultMax;

    public const string DefaultUplink = "lxdbr0";
}

/// <summary>A member's OVN certificate, written by the signer only.</summary>
public sealed class OvnCertificateRecord
{
    [JsonPropertyName("member")] public string Member { get; set; } = "";
    [JsonPropertyName("certificate")] public string Certificate { get; set; } = "";
    [JsonPropertyName("issued_at")] public DateTimeOffset IssuedAt { get; set; }
}

/// <summary>A pending invite: its peer and firewall opening exist on every member until it is used or expires.</summary>
public sealed class InviteRecord
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("public_key")] public string PublicKey { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
    [JsonPropertyName("token_operation")] public string TokenOperation { get; set; } = "";
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "";
}

/// <summary>M-2: who holds a mesh address. Creating a lease is atomic (LXD refuses a duplicate name).</summary>
public sealed class LeaseRecord
{
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("holder")] public string Holder { get; set; } = "";
    [JsonPropertyName("created_at")] public DateTimeOffset CreatedAt { get; set; }
}

[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ClusterSettingsRecord))]
[JsonSerializable(typeof(MemberRecord))]
[JsonSerializable(typeof(InviteRecord))]
[JsonSerializable(typeof(LeaseRecord))]
[JsonSerializable(typeof(OvnRecord))]
[JsonSerializable(typeof(RouteClaimRecord))]
[JsonSerializable(typeof(EvacuationRecord))]
[JsonSerializable(typeof(OvnCertificateRecord))]
[JsonSerializable(typeof(Invites.JoinBundle))]
public sealed partial class ClusterJsonContext : JsonSerializerContext;

/// <summary>
/// Which project owns a route host name. Inserted once (LXD's unique row names make the first claim win),
/// removed when no instance of that project declares a route on the host any more.
/// </summary>
public sealed class RouteClaimRecord
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("claimed_at")] public DateTimeOffset ClaimedAt { get; set; }
}

/// <summary>
/// The instances Terrarium moved off an evacuated member whose origin LXD would not let it record on the
/// instance (a restricted project forbids setting volatile.* keys: lxd/project/limits checkRestrictionsOnVolatileConfig).
/// `terrariumctl cluster restore` moves them back after LXD's own restore; written by evacuate, removed by restore.
/// </summary>
public sealed class EvacuationRecord
{
    [JsonPropertyName("member")] public string Member { get; set; } = "";
    [JsonPropertyName("instances")] public List<EvacuatedInstance> Instances { get; set; } = [];
    [JsonPropertyName("updated_at")] public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class EvacuatedInstance
{
    [JsonPropertyName("project")] public string Project { get; set; } = "";
    [JsonPropertyName("name")] public string Name { get; set; } = "";
}
