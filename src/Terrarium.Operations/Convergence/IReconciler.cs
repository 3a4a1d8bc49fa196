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

    Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct);
}

/// <summary>
/// What one reconciler found: whether it changed the host and its error when contained. A concern with something more
/// to say returns its own outcome type (<see cref="MeshOutcome"/>, <see cref="RecordsOutcome"/>, <see cref="OvnOutcome"/>,
/// <see cref="RoutesOutcome"/>); a contained failure is always a plain outcome with its error.
/// </summary>
public record ReconcileOutcome(string Concern, bool Changed, string? Error = null)
{
    /// <summary>How long the reconciler took (set by the loop): a slow pass says which concern was slow.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The mesh converged to this many peers.</summary>
public sealed record MeshOutcome(bool Changed, int Peers) : ReconcileOutcome("mesh", Changed);

/// <summary>Expired or used records this pass removed from the shared configuration.</summary>
public sealed record RecordsOutcome(int Removed) : ReconcileOutcome("records", Removed > 0);

public sealed record OvnOutcome(Ovn.OvnResult Result) : ReconcileOutcome("ovn", Result.Changed);

public sealed record RoutesOutcome(Routes.RouteSyncResult Result) : ReconcileOutcome("routes", Result.Changed);
