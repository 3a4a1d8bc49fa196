using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>T-1: this host's port on terrarium-ovn, its address recorded so that status on any member can probe it.</summary>
public sealed class OvnHostPortReconciler(OvnConverger ovn) : IReconciler
{
    public string Concern => "ovn-host-port";

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await ovn.HostPortAsync(context.Lxd, context.Store, context.RequireOvnPass(), ct));
}
