namespace Terrarium.Operations.Convergence;

/// <summary>
/// One concern of a node (mesh, firewall, shared records, OVN, routes) brought from what it is (read live: `wg`,
/// `nft`, LXD, OVSDB) to what the shared configuration says it should be. Small and idempotent: a pass that finds
/// nothing to do changes nothing. <see cref="ConvergenceLoop"/> runs them in order for `reconfigure`, the agent and
/// the commands alike.
/// </summary>
public interface IReconciler
{
    /// <summary>The concern's name in logs and results: mesh, firewall, records, ovn, routes.</summary>
    string Concern { get; }

    /// <summary>False when a failure must stop the pass (mesh, firewall); true when it is reported and the rest goes on (OVN).</summary>
    bool Contained => false;

    /// <summary>True when the reconcilers after this one depend on it, so that its contained failure ends the pass (the OVN steps).</summary>
    bool FailureEndsPass => false;

    Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct);
}

/// <summary>
/// What one reconciler found: whether it changed the host and its error when contained. A concern with something more
/// to say returns its own outcome type (<see cref="MeshOutcome"/>, <see cref="RecordsOutcome"/>, <see cref="OvnCertificateOutcome"/>,
/// <see cref="RoutesOutcome"/>); a contained failure is always a plain outcome with its error.
/// </summary>
public record ReconcileOutcome(string Concern, bool Changed, string? Error = null)
{
    /// <summary>How long the reconciler took (set by the loop): a slow pass says which concern was slow.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Nothing after this reconciler can run in this pass (OVN without a certificate yet).</summary>
    public bool EndsPass { get; init; }
}

/// <summary>The mesh converged to this many peers.</summary>
public sealed record MeshOutcome(bool Changed, int Peers) : ReconcileOutcome(MeshReconciler.Name, Changed);

/// <summary>Expired or used records this pass removed from the shared configuration.</summary>
public sealed record RecordsOutcome(int Removed) : ReconcileOutcome(SharedRecordsReconciler.Name, Removed > 0);

/// <summary>The OVN pass's certificate step: disabled, awaiting a certificate, or ready; how many requests this member signed.</summary>
public sealed record OvnCertificateOutcome(string State, int Signed, bool Changed) : ReconcileOutcome(OvnCertificateReconciler.Name, Changed);

public sealed record RoutesOutcome(Routes.RouteSyncResult Result) : ReconcileOutcome(RouteReconciler.Name, Result.Changed);
