using System.Globalization;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>Whether LXD's database and the shared configuration answered, and whether the database can lose a member.</summary>
public static class DatabaseRules
{
    /// <summary>LXD's member list timed out (an error: nothing LXD says can be judged), or only the shared configuration did.</summary>
    public static Problem? NotAnswered(StatusFacts f) =>
        f.Local.LxdMembersTimedOut is { } bound
            ? new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = $"LXD's database did not answer within {bound.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s: its leader may be away or quorum lost.",
                Fix = "check the members listed as unreachable or with an old handshake; run `terrariumctl cluster status` again",
            }
            : f.Local.SharedConfigTimedOut
                ? new Problem
                {
                    Message = "Terrarium's shared configuration did not load in time: the mesh records shown are this node's own copy.",
                    Fix = "run `terrariumctl cluster status` again",
                }
                : null;

    /// <summary>
    /// LXD's database does not answer and no peer has spoken over the mesh for a while: the others may have removed this
    /// member while it was down (see <see cref="Isolation"/>).
    /// </summary>
    public static Problem? Isolated(StatusFacts f)
    {
        var peers = f.Config.Members.Where(m => m.Name != f.Self && m.PublicKey.Length > 0 && m.Endpoint.Length > 0).Select(m => m.PublicKey).ToList();
        if (!f.LxdUnknown || !Isolation.ReachesNoPeer(peers, f.Local.HandshakesByPublicKey, f.Now)) return null;
        return new Problem
        {
            Severity = ProblemSeverity.Error,
            Message = $"This server reaches none of its {peers.Count} peer(s) over the mesh (no WireGuard handshake in {StatusAnalyzer.StaleHandshake.TotalMinutes:0} min) " +
                      "and LXD's database does not answer: the other members may have removed it (`cluster remove --force` while it was down).",
            Fix = $"if `terrariumctl cluster status` on another member no longer lists {f.Self}: terrariumctl cluster leave --yes, then join it with a new invite; " +
                  $"otherwise check this server's network and UDP {f.Port}",
        };
    }

    public static Problem? NoQuorum(StatusFacts f, QuorumSummary quorum) =>
        !f.LxdUnknown && !quorum.HasQuorum && quorum.Voters > 0
            ? new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = $"LXD's database has no quorum: {quorum.VotersOnline} of {quorum.Voters} voters are online, it needs {Config.Quorum.Majority(quorum.Voters)}.",
                Fix = $"bring back the voters listed as unreachable or offline; if they are gone for good, recover a member with `{(f.Local.Client == "incus" ? "incus admin" : "lxd")} cluster recover-from-quorum-loss` (docs/reliability.md)",
            }
            : null;

    public static Problem? TooFewMembers(StatusFacts f) =>
        !f.LxdUnknown && f.LxdMembers.Count < 3
            ? new Problem
            {
                Severity = ProblemSeverity.Info, Message = $"With {f.LxdMembers.Count} member(s) the database cannot lose a member and keep quorum.",
                Fix = "add a third server: terrariumctl cluster invite NAME ADDRESS",
            }
            : null;
}
