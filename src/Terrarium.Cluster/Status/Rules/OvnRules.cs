using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>The OVN central set and CA against LXD's members, and the raft clusters this node serves.</summary>
public static class OvnRules
{
    public static IEnumerable<Problem> For(StatusFacts f, OvnRecord ovn) =>
        new[] { CentralSetMismatch(f, ovn), CaHolderGone(f, ovn) }.OfType<Problem>().Concat(RaftChanging(f, ovn));

    /// <summary>The member count is Terrarium's, not LXD's, when LXD did not answer: then no verdict.</summary>
    public static Problem? CentralSetMismatch(StatusFacts f, OvnRecord ovn) =>
        !f.LxdUnknown && (ovn.Central.Count != OvnCentralPlanner.SizeFor(f.LxdMembers.Count, ovn.MaxCentral) || ovn.Central.Any(n => f.LxdMembers.All(m => m.Name != n)))
            ? new Problem { Message = $"The OVN central set ({string.Join(", ", ovn.Central)}) does not match the {f.LxdMembers.Count} member(s).", Fix = "terrariumctl cluster ovn configure" }
            : null;

    public static Problem? CaHolderGone(StatusFacts f, OvnRecord ovn) =>
        !f.LxdUnknown && f.LxdMembers.All(m => m.Name != ovn.Signer)
            ? new Problem { Message = $"The OVN CA holder {ovn.Signer} is gone: new members cannot get OVN certificates.", Fix = "terrariumctl cluster ovn configure" }
            : null;

    public static IEnumerable<Problem> RaftChanging(StatusFacts f, OvnRecord ovn) =>
        f.Local.Raft.Where(r => r.Servers.Count != ovn.Central.Count).Select(raft => new Problem
        {
            Severity = ProblemSeverity.Info, Message = $"{raft.Database} raft has {raft.Servers.Count} server(s), the plan {ovn.Central.Count}: membership is changing.",
            Fix = "wait for terrarium-agent on the central members, or run terrariumctl cluster ovn configure",
        });
}
