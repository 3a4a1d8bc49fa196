using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>Userspace datapath only: checksum offload off inside this member's running instances on terrarium-ovn.</summary>
public sealed class OvnNicTuningReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-nics";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.TuneLocalInstancesAsync(context.Lxd, context.Identity.Member, ct) > 0);
}
