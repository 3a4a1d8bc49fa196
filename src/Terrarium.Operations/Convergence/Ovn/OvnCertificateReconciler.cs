using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// O-2, the OVN pass's first step: this member's certificate request in its record, the signer's signing of pending
/// requests, and this member's certificate installed. Without a certificate for its current key the pass ends here.
/// </summary>
public sealed class OvnCertificateReconciler(OvnConverger ovn) : IReconciler
{
    public const string Name = "ovn-certificates";

    public string Concern => Name;

    public bool Contained => true;

    public bool FailureEndsPass => true;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        var (state, pass, signed, changed) = await ovn.CertifyAsync(context.Store, context.Config, context.Identity, ct);
        context.OvnPass = pass;
        return new OvnCertificateOutcome(state, signed, changed) { EndsPass = pass is null };
    }
}
