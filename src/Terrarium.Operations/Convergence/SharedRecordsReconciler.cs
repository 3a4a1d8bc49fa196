namespace Terrarium.Operations.Convergence;

/// <summary>
/// S-3: expired invites lose their LXD token, row and lease; used invites and orphan leases go too. Any member does
/// it, so cleanup never depends on the member that created them. Runs first: the others then see the cleaned records.
/// </summary>
public sealed class SharedRecordsReconciler(NodeEnvironment env) : IReconciler
{

    public const string Name = "records";

    public string Concern => Name;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        var (config, store) = (context.Config, context.Store);
        var now = env.Clock();
        var removed = 0;
        foreach (var invite in config.ExpiredInvites(now))
        {
            await store.RevokeInviteAsync(config, invite, ct);
            env.Log($"expired invite for {invite.Name} removed (mesh address {invite.MeshAddress} released)");
            removed++;
        }
        foreach (var invite in config.UsedInvites())
        {
            await store.DeleteInviteAsync(invite, ct);
            removed++;
        }
        foreach (var lease in config.OrphanLeases(now, Timings.Convergence.LeaseGrace))
        {
            await store.ReleaseLeaseAsync(lease, ct);
            env.Log($"orphan lease on {lease.Address} (held by {lease.Holder}) released");
            removed++;
        }
        if (removed > 0) await context.ReloadAsync(ct);
        return new RecordsOutcome(removed);
    }
}
