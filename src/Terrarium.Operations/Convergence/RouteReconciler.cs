using Terrarium.Operations.Routes;

namespace Terrarium.Operations.Convergence;

/// <summary>T-1..T-3: this node's Traefik file from every routed instance. One per converger: it remembers instances between passes.</summary>
public sealed class RouteReconciler(NodeEnvironment env) : IReconciler
{
    private readonly RouteSync _routes = new(env);

    public const string Name = "routes";

    public string Concern => Name;

    public async Task<ReconcileOutcome> ReconcileAsync(ConvergenceContext context, CancellationToken ct)
    {
        var result = await _routes.SyncAsync(context.Lxd, ct);
        // Init and join end after this pass: they wait for the ownership it records, and render again after a lost race.
        if (await _routes.Recording)
        {
            var again = await _routes.SyncAsync(context.Lxd, ct, []);
            result = again with { Changed = result.Changed || again.Changed };
        }
        return new RoutesOutcome(result);
    }

    /// <summary>The agent's route worker renders again when a recorded host owner turns out to be another project.</summary>
    public Action? OwnershipLost { set => _routes.OwnershipLost = value; }

    /// <summary>See <see cref="RouteSync.Tls"/>.</summary>
    public Cluster.Routes.TlsRendering? Tls { set => _routes.Tls = value; }

    public IReadOnlyCollection<string> ServedHosts => _routes.ServedHosts;

    /// <summary>After instance events: only <paramref name="instances"/> are read again (null: all).</summary>
    public Task<RouteSyncResult> SyncAsync(Lxd.ILxdClient lxd, IReadOnlyCollection<Cluster.Placement.InstanceRef>? instances, CancellationToken ct) =>
        _routes.SyncAsync(lxd, ct, instances);
}
