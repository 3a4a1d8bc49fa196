using Terrarium.Cluster.Validation;

namespace Terrarium.Lab.Skew;

/// <summary>
/// A daemon version the lab cannot install (only Debian's LXD 5.0.2 is here), reproduced by the
/// <see cref="SkewProxy"/> in front of each node's real LXD. Each field names the upstream file/tag it replays;
/// the unit tests' fake daemon (tests/.../Lxd/Fake/DaemonProfile.cs) replays the same versions without a daemon.
/// </summary>
public sealed record LxdBehaviour(string Name, string Server, string Version)
{
    /// <summary>
    /// /wait?timeout=N answers HTTP 200 + an error envelope while the op runs ("context deadline exceeded") or once it
    /// failed: lxd/operations.go operationWaitGet since lxd-5.0.3 (4f91c57), lxd-5.21.1 and 6.x; incus v6.0.0-v6.0.4.
    /// </summary>
    public bool WaitAnswersErrorEnvelope { get; init; } = true;

    /// <summary>
    /// The one join field the daemon reads the token from (lxd/api_cluster.go clusterPutJoin): 5.21.0-5.21.1
    /// cluster_password, 6.1+ cluster_token (6.3 removed cluster_password, d3052e0); incus only cluster_token.
    /// </summary>
    public string TokenField { get; init; } = "cluster_password";

    /// <summary>Hidden server keys GET /1.0 renders as JSON true (lxd/config/map.go Dump): 5.0/5.21 only; 6.x and Incus have none.</summary>
    public bool HiddenKeysAsBooleans { get; init; }

    /// <summary>LXD >= 6.9 refuses to evacuate an online voter without quorum (lxd/api_cluster_member.go checkEvacuationQuorum).</summary>
    public bool EvacuationQuorumCheck { get; init; }

    /// <summary>API extensions the target has beyond the real 5.0.2's, limited to what the product's decisions read.</summary>
    public IReadOnlyList<string> AddedExtensions { get; init; } = [];

    public override string ToString() => Name;

    // stable-5.21 at lxd-5.21.1: wait envelope, cluster_password only, core.trust_password/loki.auth.password hidden.
    public static readonly LxdBehaviour Lxd521 = new("5.21", "lxd", "5.21.1")
    {
        HiddenKeysAsBooleans = true, AddedExtensions = ["instances_migration_stateful"],
    };

    // lxd-6.9: cluster_token only, no hidden keys, evacuation quorum check (extension clustering_evacuation_force).
    public static readonly LxdBehaviour Lxd6 = new("6", "lxd", "6.9")
    {
        TokenField = "cluster_token", EvacuationQuorumCheck = true,
        AddedExtensions = ["explicit_trust_token", "instances_migration_stateful", "clustering_evacuation_force"],
    };

    // incus v6.0.4 (Debian bookworm-backports): environment.server "incus", wait envelope, cluster_token only.
    public static readonly LxdBehaviour Incus604 = new("incus", "incus", "6.0.4") { TokenField = "cluster_token" };

    public static readonly IReadOnlyList<LxdBehaviour> All = [Lxd521, Lxd6, Incus604];

    /// <summary>The `--lxd-behaviour` value; throws <see cref="InputException"/> for anything else.</summary>
    public static LxdBehaviour Parse(string name) =>
        All.FirstOrDefault(b => b.Name == name)
        ?? throw new InputException($"--lxd-behaviour must be {string.Join(", ", All.SkipLast(1).Select(b => b.Name))} or {All[^1].Name}, not '{EchoText.Of(name, 40)}'.");
}
