using System.Text.Json.Serialization;

namespace Terrarium.Cluster.Status;

/// <summary>C-4: everything `cluster status` shows; `--output json` prints exactly this. No secrets in it .</summary>
public sealed class StatusReport
{
    [JsonPropertyName("member")] public string? Self { get; set; }
    [JsonPropertyName("initialised")] public bool Initialised { get; set; }
    [JsonPropertyName("mesh")] public MeshSummary? Mesh { get; set; }
    /// <summary>False when LXD's member list did not answer within the status bound: members are then Terrarium's records, their LXD status "Unknown".</summary>
    [JsonPropertyName("lxd_members_known")] public bool LxdMembersKnown { get; set; } = true;
    [JsonPropertyName("quorum")] public QuorumSummary Quorum { get; set; } = new();
    [JsonPropertyName("members")] public List<MemberStatus> Members { get; set; } = [];
    [JsonPropertyName("invites")] public List<InviteStatus> Invites { get; set; } = [];
    [JsonPropertyName("ovn")] public OvnStatus? Ovn { get; set; }
    /// <summary>Each route host's certificate once the cluster has an ACME account (`cluster tls configure`); null without one.</summary>
    [JsonPropertyName("certificates")] public List<CertificateStatus>? Certificates { get; set; }
    [JsonPropertyName("problems")] public List<Problem> Problems { get; set; } = [];
}

/// <summary>A route host's certificate (no key material): valid, due, ordering, failed or refused.</summary>
public sealed class CertificateStatus
{
    [JsonPropertyName("host")] public string Host { get; set; } = "";
    [JsonPropertyName("state")] public string State { get; set; } = "";
    [JsonPropertyName("valid_until")] public DateTimeOffset? ValidUntil { get; set; }
    [JsonPropertyName("holder")] public string? Holder { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
    [JsonPropertyName("retry_at")] public DateTimeOffset? RetryAt { get; set; }
    [JsonPropertyName("summary")] public string Summary { get; set; } = "";
}

public sealed class MeshSummary
{
    [JsonPropertyName("cidr")] public string Cidr { get; set; } = "";
    [JsonPropertyName("port")] public int Port { get; set; }
    [JsonPropertyName("interface")] public string Interface { get; set; } = "";
}

/// <summary>LXD's database voters (roles "database"); a voter is online when LXD lists it up and it answered this node.</summary>
public sealed class QuorumSummary
{
    [JsonPropertyName("database_members")] public int DatabaseMembers { get; set; }
    [JsonPropertyName("database_online")] public int DatabaseOnline { get; set; }
    [JsonPropertyName("voters")] public int Voters { get; set; }
    [JsonPropertyName("voters_online")] public int VotersOnline { get; set; }
    /// <summary>How many more voters may fail now before the database stops (0 without quorum).</summary>
    [JsonPropertyName("tolerable_failures")] public int TolerableFailures { get; set; }
    [JsonPropertyName("has_quorum")] public bool HasQuorum { get; set; }
}

public sealed class MemberStatus
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("self")] public bool IsSelf { get; set; }
    [JsonPropertyName("roles")] public List<string> Roles { get; set; } = [];
    [JsonPropertyName("status")] public string Status { get; set; } = "";
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string? MeshAddress { get; set; }
    [JsonPropertyName("endpoint")] public string? Endpoint { get; set; }
    [JsonPropertyName("handshake_age_seconds")] public long? HandshakeAgeSeconds { get; set; }
    [JsonPropertyName("instances")] public int Instances { get; set; }
    [JsonPropertyName("memory_used_bytes")] public long? MemoryUsedBytes { get; set; }
    /// <summary>False when the member did not answer this node within the status bound, whatever LXD's status says.</summary>
    [JsonPropertyName("reachable")] public bool Reachable { get; set; } = true;

    /// <summary>"answers" or "silent" — its host port on terrarium-ovn, probed from this node; null when not probed.</summary>
    [JsonPropertyName("overlay")] public string? Overlay { get; set; }
}

public sealed class InviteStatus
{
    [JsonPropertyName("name")] public string Name { get; set; } = "";
    [JsonPropertyName("mesh_address")] public string MeshAddress { get; set; } = "";
    [JsonPropertyName("address")] public string Address { get; set; } = "";
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
    [JsonPropertyName("expired")] public bool Expired { get; set; }
    /// <summary>pending, expired, joining (LXD accepted the server, its join has not finished) or spent (the token was used, the join did not happen).</summary>
    [JsonPropertyName("state")] public string State { get; set; } = InviteStates.Pending;
    [JsonPropertyName("created_by")] public string CreatedBy { get; set; } = "";
}

/// <summary>O-2: the planned central set, who holds the CA, and this node's view of the raft clusters.</summary>
public sealed class OvnStatus
{
    [JsonPropertyName("central")] public List<string> Central { get; set; } = [];
    [JsonPropertyName("ca_holder")] public string CaHolder { get; set; } = "";
    [JsonPropertyName("northbound")] public string Northbound { get; set; } = "";
    [JsonPropertyName("local_raft")] public List<RaftView> LocalRaft { get; set; } = [];
}

public sealed class RaftView
{
    [JsonPropertyName("database")] public string Database { get; set; } = "";
    [JsonPropertyName("role")] public string Role { get; set; } = "";
    [JsonPropertyName("servers")] public List<string> Servers { get; set; } = [];
}

/// <summary>How much a problem matters: notes leave `cluster status` healthy (exit 0), the others make it exit 3.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ProblemSeverity>))]
public enum ProblemSeverity
{
    /// <summary>A note: something passing or worth knowing, nothing to fix now.</summary>
    [JsonStringEnumMemberName("info")] Info,
    [JsonStringEnumMemberName("warning")] Warning,
    /// <summary>The cluster or this node is impaired: cluster ports exposed, a member down, no quorum.</summary>
    [JsonStringEnumMemberName("error")] Error,
}

public static class ProblemSeverities
{
    /// <summary>The word status prints and JSON carries: info, warning, error.</summary>
    public static string Label(this ProblemSeverity severity) => severity switch
    {
        ProblemSeverity.Info => "info",
        ProblemSeverity.Error => "error",
        _ => "warning",
    };
}

/// <summary>Something wrong, said in one sentence, with the command or check that fixes it.</summary>
public sealed class Problem
{
    [JsonPropertyName("severity")] public ProblemSeverity Severity { get; set; } = ProblemSeverity.Warning;
    [JsonPropertyName("message")] public string Message { get; set; } = "";
    [JsonPropertyName("fix")] public string Fix { get; set; } = "";
}

[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(StatusReport))]
public sealed partial class StatusJsonContext : JsonSerializerContext;
