using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// O-1..O-4 as the OVN pass's reconcilers, in order: each later step needs the certificate step's pass, and a step
/// that fails ends the pass (what follows depends on it); <see cref="Result"/> reads the pass back as one result.
/// </summary>
public static class OvnReconcilers
{
    public static IReconciler[] Create(NodeEnvironment env)
    {
        var ovn = new OvnConverger(env);
        return
        [
            // O-2: the certificate request, the signer's signing, this member's certificate installed (else the pass ends).
            new OvnCertificateReconciler(ovn),
            // O-3: Open vSwitch and ovn-controller with Geneve on the mesh address; the remotes file boot starts them from.
            new OvnStepReconciler("ovn-chassis", (_, pass, _) => ovn.EnsureChassisAsync(pass)),
            // O-2: in the central set, the database servers (joining raft) and northd; out of it, leaving raft; one change a pass.
            new OvnStepReconciler("ovn-central", (_, pass, _) => ovn.ConvergeCentralAsync(pass)),
            // O-4: LXD pointed only at the central servers raft counts (one member decides), and Incus' OVN client identity.
            new OvnStepReconciler("ovn-northbound", (c, pass, ct) => ovn.PointLxdAsync(c.Lxd, pass, ct)),
            // O-1: the CA holder, with no membership change pending, creates the workload network and deletes stale chassis.
            new OvnStepReconciler("ovn-signer", (c, pass, ct) => ovn.SignerStepAsync(c.Lxd, pass, ct)),
            // O-1: LXD's network left unavailable although this chassis runs: restarted once its own retry failed too.
            new OvnStepReconciler("ovn-repair", (c, pass, ct) => ovn.RepairNetworkAsync(c.Lxd, pass, ct)),
            // T-1: this host's port on terrarium-ovn, its address recorded for status on every member.
            new OvnStepReconciler("ovn-host-port", (c, pass, ct) => ovn.HostPortAsync(c.Lxd, c.Store, pass, ct)),
            // Userspace datapath only: checksum offload off inside this member's running instances on terrarium-ovn.
            new OvnStepReconciler("ovn-nics", async (c, _, ct) => await ovn.TuneLocalInstancesAsync(c.Lxd, c.Identity.Member, ct) > 0),
        ];
    }

    /// <summary>The pass as one result; null when a step failed (its error is the pass's).</summary>
    public static OvnResult? Result(OvnPass? pass, IReadOnlyList<ReconcileOutcome> outcomes)
    {
        if (outcomes.Any(o => o.Error is not null) || outcomes.OfType<OvnCertificateOutcome>().FirstOrDefault() is not { } certificates) return null;
        return new OvnResult(certificates.State, pass?.IsCentral == true, certificates.Signed, outcomes.Any(o => o.Changed))
        {
            MembershipPending = pass?.Pending == true, HostAddress = pass?.HostAddress,
        };
    }
}
