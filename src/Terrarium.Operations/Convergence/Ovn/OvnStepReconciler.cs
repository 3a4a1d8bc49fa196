using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// One step of the OVN pass after the certificate step, named by its concern (see <see cref="OvnReconcilers"/>): it
/// works on the pass that step found, and its failure ends the OVN pass, never the host's.
/// </summary>
public sealed class OvnStepReconciler(string concern, Func<ConvergenceContext, OvnPass, CancellationToken, Task<bool>> step) : IReconciler
{
    public string Concern => concern;

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct) =>
        new(Concern, await step(context, context.RequireOvnPass(), ct));
}
