using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>LXD's OVN network left unavailable on this member although its chassis runs: restarted once its own retry failed too (UnavailableNetworkRepair).</summary>
public sealed class OvnNetworkRepairReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-repair";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.RepairNetworkAsync(context.Lxd, context.RequireOvnPass(), ct));
}
