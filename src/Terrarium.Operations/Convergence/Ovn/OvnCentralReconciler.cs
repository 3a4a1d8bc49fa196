using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>O-2: in the planned central set, the database servers (joining raft when there is no local copy) and northd; out of it, leaving raft. One raft membership change per database per pass.</summary>
public sealed class OvnCentralReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-central";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.ConvergeCentralAsync(context.RequireOvnPass()));
}
