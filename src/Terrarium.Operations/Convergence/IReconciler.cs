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

/// <summary>What one reconciler found: whether it changed the host, its error when contained, and its own detail.</summary>
public sealed record ReconcileOutcome(string Concern, bool Changed, string? Error = null, object? Detail = null)
{
    /// <summary>How long the reconciler took (set by the loop): a slow pass says which concern was slow.</summary>
    public TimeSpan Elapsed { get; init; }

    public T? DetailAs<T>() where T : class => Detail as T;
}
