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
