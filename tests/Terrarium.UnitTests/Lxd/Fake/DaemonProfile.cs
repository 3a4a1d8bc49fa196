namespace Terrarium.UnitTests.Lxd.Fake;

/// <summary>
/// How one LXD or Incus release answers the endpoints Terrarium uses, where it differs from Debian 12's LXD 5.0.2.
/// Each field names the upstream file (and tag) the behaviour is read from; ../shared/lab-notes/lxd-incus-compat.md
/// has the full table. Replayed by <see cref="FakeLxd"/> for the versions that cannot be installed here.
/// </summary>
public sealed record DaemonProfile(string Name, string Server, string Version)
{
    /// <summary>
    /// GET /1.0/operations/ID/wait?timeout=N answers HTTP 200 with an error envelope when the timeout passes
    /// ("context deadline exceeded") or the operation failed: lxd/operations.go operationWaitGet since lxd-5.0.3
    /// (commit 4f91c57); incus v6.0.0-v6.0.4 alike; incus 98c20bf (v6.0.5+, 7.x) renders the operation again.
    /// </summary>
    public bool WaitAnswersErrorEnvelope { get; init; }

    /// <summary>Join fields the daemon reads the token from (lxd/api_cluster.go clusterPutJoin; incus shared/api/cluster.go).</summary>
    public string[] TokenFields { get; init; } = ["cluster_password"];

    /// <summary>Hidden server keys rendered as JSON true when set (lxd/config/map.go Dump; 5.0 and 5.21 only).</summary>
    public string[] HiddenKeys { get; init; } = [];

    /// <summary>LXD >= 6.9 refuses to evacuate an online voter without quorum (lxd/api_cluster_member.go checkEvacuationQuorum).</summary>
    public bool EvacuationQuorumCheck { get; init; }

    /// <summary>
    /// What a PATCH /1.0 that fails after it was stored leaves (api_1.0.go doApi10Update): LXD 5.0.2 has no revert
    /// (the new values stay); lxd-5.0.3+, 5.18-5.21.4, 6.1-6.8 and incus v6.0.0-v6.0.5, v6.1-v6.17 revert with Replace of
    /// the request's keys, which resets every key the request did not name; lxd-5.21.5+, 6.9+, incus v6.0.6+, v6.18+
    /// restore the old values.
    /// </summary>
    public PatchRevert PatchRevert { get; init; } = PatchRevert.Restores;

    public string[] Extensions { get; init; } = ["clustering", "clustering_join", "clustering_join_token", "clustering_evacuation"];

    public override string ToString() => Name;

    // lxd-5.0.2 (Debian 12): renders the op on wait timeout; token only in cluster_password; core.trust_password hidden.
    public static readonly DaemonProfile Debian502 = new("debian-lxd-5.0.2", "lxd", "5.0.2") { PatchRevert = PatchRevert.None, HiddenKeys = ["core.trust_password"] };

    // lxd-5.0.3 and later 5.0.x (snap 5.0/stable): the wait envelope; otherwise as 5.0.2.
    public static readonly DaemonProfile Snap50 = new("snap-lxd-5.0.5", "lxd", "5.0.5") { WaitAnswersErrorEnvelope = true, PatchRevert = PatchRevert.ResetsUnnamed, HiddenKeys = ["core.trust_password"] };

    // stable-5.21 (5.21.0-5.21.1 read only cluster_password; 5.21.2+ both, password first: lxd/certificates.go); loki.auth.password hidden.
    public static readonly DaemonProfile Snap521 = new("snap-lxd-5.21.1", "lxd", "5.21.1")
    {
        WaitAnswersErrorEnvelope = true, HiddenKeys = ["core.trust_password", "loki.auth.password"], PatchRevert = PatchRevert.ResetsUnnamed,
        Extensions = ["clustering", "clustering_join", "clustering_join_token", "clustering_evacuation", "instances_migration_stateful"],
    };

    // lxd-6.9: only cluster_token (6.3 removed cluster_password), no hidden keys, evacuation quorum check.
    public static readonly DaemonProfile Snap69 = new("snap-lxd-6.9", "lxd", "6.9")
    {
        WaitAnswersErrorEnvelope = true, TokenFields = ["cluster_token"], EvacuationQuorumCheck = true,
        Extensions = ["clustering", "clustering_join", "clustering_join_token", "clustering_evacuation", "explicit_trust_token",
                      "instances_migration_stateful", "clustering_evacuation_force"],
    };

    // incus v6.0.4 (Debian bookworm-backports): the wait envelope, only cluster_token, environment.server "incus".
    public static readonly DaemonProfile Incus604 = new("incus-6.0.4", "incus", "6.0.4")
    {
        WaitAnswersErrorEnvelope = true, TokenFields = ["cluster_token"], PatchRevert = PatchRevert.ResetsUnnamed,
    };

    // incus v7.x: renders the op on wait again (98c20bf), only cluster_token.
    public static readonly DaemonProfile Incus7 = new("incus-7.1", "incus", "7.1") { TokenFields = ["cluster_token"] };

    public static readonly DaemonProfile[] All = [Debian502, Snap50, Snap521, Snap69, Incus604, Incus7];

    public static IEnumerable<object[]> Each => All.Select(p => new object[] { p.Name });

    public static DaemonProfile Named(string name) => All.Single(p => p.Name == name);
}

public enum PatchRevert { None, ResetsUnnamed, Restores }
