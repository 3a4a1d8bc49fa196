using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>O-1: the CA holder, once no membership change is pending, creates the workload network and deletes the chassis of removed members.</summary>
public sealed class OvnSignerReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-signer";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.SignerStepAsync(context.Lxd, context.RequireOvnPass(), ct));
}
