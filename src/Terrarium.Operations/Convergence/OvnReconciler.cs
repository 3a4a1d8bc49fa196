using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>O-1..O-4: OVN daemons, certificates, raft membership and the workload network. Contained: OVN must not hold the mesh and firewall hostage.</summary>
public sealed class OvnReconciler(NodeEnvironment env) : IReconciler
{
    public string Concern => "ovn";

    public bool Contained => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        var result = await new OvnConverger(env).ConvergeAsync(context.Lxd, context.Store, context.Config, context.Identity, ct);
        return new OvnOutcome(result);
    }
}
