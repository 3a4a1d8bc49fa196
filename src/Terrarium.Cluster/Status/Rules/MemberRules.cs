using Terrarium.Cluster.Members;
using Terrarium.Cluster.Validation;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>
/// One member's problems: at most one about its state in LXD, then at most one about its place in the mesh. Each
/// chain reads like the status table: the first rule that applies says what is wrong.
/// </summary>
public static class MemberRules
{
    public static IEnumerable<Problem> For(StatusFacts f, MemberFacts m)
    {
        if ((f.LxdUnknown ? UnansweredRecorded(f, m) : State(f, m)) is { } state) yield return state;
        if (Mesh(f, m) is { } mesh) yield return mesh;
    }

    public static Problem? State(StatusFacts f, MemberFacts m) => Unanswered(f, m) ?? Transitional(m) ?? Down(m) ?? Evacuated(m);

    public static Problem? Mesh(StatusFacts f, MemberFacts m) => m.Record is null ? MissingRecord(f, m) : StaleHandshake(f, m) ?? SilentOverlay(f, m);

    /// <summary>LXD keeps a dead member Online (or Evacuated) until its offline threshold passes; this node's probe knows sooner.</summary>
    public static Problem? Unanswered(StatusFacts f, MemberFacts m) =>
        !m.Row.Reachable && m.State.IsSettledUp()
            ? new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = $"{m.Name} does not answer (LXD still lists it {m.Lxd.Status.ToLowerInvariant()} until its offline threshold passes).",
                Fix = $"bring {m.Name} back (check its power, UDP {f.Port} and LXD there); if it is dead for good: terrariumctl cluster remove {m.Name} --force",
            }
            : null;

    /// <summary>LXD's list is unknown, and this recorded member's LXD port on the mesh did not accept a connection.</summary>
    public static Problem? UnansweredRecorded(StatusFacts f, MemberFacts m) =>
        !m.Row.Reachable && !m.Row.IsSelf
            ? new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = $"{m.Name} does not answer (its LXD port on the mesh does not accept connections; LXD's own view is unknown).",
                Fix = $"bring {m.Name} back (check its power, UDP {f.Port} and LXD there); if it is dead for good: terrariumctl cluster remove {m.Name} --force on another member",
            }
            : null;

    /// <summary>Incus reports an evacuation or restore under way.</summary>
    public static Problem? Transitional(MemberFacts m) =>
        m.State.IsTransitional()
            ? new Problem { Severity = ProblemSeverity.Info, Message = $"{m.Name} is {m.Lxd.Status.ToLowerInvariant()}.", Fix = "wait for it to finish" }
            : null;

    /// <summary>Offline, blocked or a state this version does not know: LXD's message says why.</summary>
    public static Problem? Down(MemberFacts m) =>
        !m.State.IsAlive()
            ? new Problem
            {
                Severity = ProblemSeverity.Error,
                Message = $"{m.Name} is {m.Lxd.Status.ToLowerInvariant()}{(m.Lxd.Message.Length > 0 ? $" ({EchoText.Escaped(m.Lxd.Message)})" : "")}.",
                Fix = $"bring {m.Name} back (check LXD and `terrariumctl cluster status` there); if it is dead for good: terrariumctl cluster remove {m.Name} --force",
            }
            : null;

    public static Problem? Evacuated(MemberFacts m) =>
        m.State == MemberState.Evacuated
            ? new Problem { Severity = ProblemSeverity.Info, Message = $"{m.Name} is evacuated: no instances are placed there.", Fix = $"terrariumctl cluster restore {m.Name} --yes" }
            : null;

    /// <summary>
    /// An LXD member Terrarium has no record of. No verdict when this node's copy may lag a join (the shared
    /// configuration did not load) or an invite for it exists (the invite's "joining" problem says what to do).
    /// </summary>
    public static Problem? MissingRecord(StatusFacts f, MemberFacts m) =>
        m.Record is null && !f.Local.SharedConfigTimedOut && f.Config.Invite(m.Name) is null
            ? new Problem { Message = $"{m.Name} is an LXD member without a mesh record.", Fix = $"terrariumctl reconfigure (on {m.Name})" }
            : null;

    /// <summary>WireGuard re-handshakes every 2 minutes on a live tunnel: none, or none for <see cref="StatusAnalyzer.StaleHandshake"/>, is a broken path.</summary>
    public static Problem? StaleHandshake(StatusFacts f, MemberFacts m) =>
        !m.Row.IsSelf && m.Record is { } record && f.Local.HandshakesByPublicKey is not null &&
        (m.Row.HandshakeAgeSeconds is null || m.Row.HandshakeAgeSeconds > StatusAnalyzer.StaleHandshake.TotalSeconds)
            ? new Problem
            {
                Message = m.Row.HandshakeAgeSeconds is { } age
                    ? $"The last WireGuard handshake with {m.Name} was {StatusAnalyzer.Age(age)} ago."
                    : $"No WireGuard handshake with {m.Name} yet.",
                Fix = $"check that UDP {f.Port} reaches {record.Endpoint} and that terrarium-agent runs on {m.Name}",
            }
            : null;

    /// <summary>
    /// A member's host port on terrarium-ovn silent from here, over a live tunnel (a stale handshake is the mesh's
    /// problem, above); a port younger than <see cref="StatusAnalyzer.OverlayGrace"/> may still be wiring up.
    /// </summary>
    public static Problem? SilentOverlay(StatusFacts f, MemberFacts m) =>
        m.Row.Overlay == "silent" && m.Row.Reachable && m.State.IsSettledUp() && m.Row.HandshakeAgeSeconds is not null &&
        m.Record?.OvnHostSince is { } since && f.Now - since >= StatusAnalyzer.OverlayGrace
            ? new Problem
            {
                Message = $"{m.Name}'s host port on terrarium-ovn ({m.Record.OvnHostAddress}) does not answer from here: the workload network between this member and {m.Name} is broken.",
                Fix = $"run `terrariumctl doctor` on {m.Name} and here (Open vSwitch, ovn-controller); terrarium-agent restarts what is missing at its next pass",
            }
            : null;

    /// <summary>A mesh record whose member LXD no longer lists (judged only when both lists are LXD's and the cluster's).</summary>
    public static IEnumerable<Problem> RecordsWithoutMember(StatusFacts f) =>
        f.LxdUnknown || f.Local.SharedConfigTimedOut
            ? []
            : f.Config.Members.Where(r => f.LxdMembers.All(m => m.Name != r.Name)).Select(stale => new Problem
            {
                Message = $"{stale.Name} has a mesh record but is not an LXD member.", Fix = $"terrariumctl cluster remove {stale.Name} --force",
            });
}
