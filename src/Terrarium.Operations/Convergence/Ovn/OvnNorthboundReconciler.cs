using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>O-1: LXD pointed only at the central servers raft counts (decided by one member), and Incus' OVN client identity.</summary>
public sealed class OvnNorthboundReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-northbound";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.PointLxdAsync(context.Lxd, context.RequireOvnPass(), ct));
}
