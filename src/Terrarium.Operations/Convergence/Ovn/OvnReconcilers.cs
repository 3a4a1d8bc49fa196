using Terrarium.Operations.Ovn;

namespace Terrarium.Operations.Convergence;

/// <summary>
/// O-1..O-4 as the OVN pass's reconcilers, in order: each later step needs the certificate step's pass, and a step
/// that fails ends the pass (what follows depends on it); <see cref="Result"/> reads the pass back as one result.
/// </summary>
public static class OvnReconcilers
{
    public static IReconciler[] Create(NodeEnvironment env)
    {
        var ovn = new OvnConverger(env);
        return
        [
            new OvnCertificateReconciler(ovn), new OvnChassisReconciler(ovn), new OvnCentralReconciler(ovn), new OvnNorthboundReconciler(ovn),
            new OvnSignerReconciler(ovn), new OvnNetworkRepairReconciler(ovn), new OvnHostPortReconciler(ovn), new OvnNicTuningReconciler(ovn),
        ];
    }

    /// <summary>The pass as one result; null when a step failed (its error is the pass's).</summary>
    public static OvnResult? Result(OvnPass? pass, IReadOnlyList<ReconcileOutcome> outcomes)
    {
        if (outcomes.Any(o => o.Error is not null) || outcomes.OfType<OvnCertificateOutcome>().FirstOrDefault() is not { } certificates) return null;
        return new OvnResult(certificates.State, pass?.IsCentral == true, certificates.Signed, outcomes.Any(o => o.Changed))
        {
            MembershipPending = pass?.Pending == true, HostAddress = pass?.HostAddress,
        };
    }
}
