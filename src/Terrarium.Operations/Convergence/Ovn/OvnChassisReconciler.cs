using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>O-3: Open vSwitch and ovn-controller with Geneve on the mesh address (and, on a userspace datapath, Geneve routed into the mesh); the remotes file boot starts them from.</summary>
public sealed class OvnChassisReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-chassis";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.EnsureChassisAsync(context.RequireOvnPass()));
}
