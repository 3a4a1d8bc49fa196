using Terrarium.Cluster.Members;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Files;
using Terrarium.Host.WireGuard;
using Terrarium.Lxd;
using Terrarium.Operations.Boot;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Identity;

namespace Terrarium.Operations.Lifecycle;

public sealed record LeaveRequest(bool Yes, bool DryRun);

/// <param name="Done">Whether the steps ran (false: a dry run, or nothing to do).</param>
/// <param name="Aside">Where LXD's former cluster state was moved, when it was.</param>
public sealed record LeaveResult(string? Member, IReadOnlyList<PlanStep> Plan, bool Done, string? Aside);

/// <summary>
/// `cluster leave`: resets a server the cluster removed while it was down (<see cref="LeavePlanner"/> decides what,
/// and refuses while the cluster still counts it). Each step reads the live state again, so a killed leave is finished
/// by running it again. Under the converge lock: the agent does not converge in between.
/// </summary>
public sealed class LeaveOperation(NodeEnvironment env)
{
    public async Task<LeaveResult> RunAsync(LeaveRequest request, CancellationToken ct = default)
    {
        var identity = NodeIdentity.Load(env.Layout);
        var iface = identity?.Interface ?? MeshSettings.DefaultInterface;
        var steps = LeavePlanner.Plan(await FactsAsync(identity, iface, ct));
        var reset = new LxdReset(env);
        var plan = steps.Select(s => new PlanStep(LeavePlanner.Name(s), Describe(s, reset, iface, env.LxdSocket))).ToList();
        if (request.DryRun || steps.Count == 0) return new LeaveResult(identity?.Member, plan, false, null);
        if (!request.Yes) throw new Cluster.Validation.InputException("Leaving resets this server's cluster state; add --yes to confirm.");

        string? aside = null;
        HostLock? held = null;
        try
        {
            foreach (var step in steps)
            {
                env.Log($"step {LeavePlanner.Name(step)}: running");
                // The reset goes first and outside the converge lock: an agent pass may hold that lock while it waits on
                // this very LXD, which answers nothing until it is stopped.
                if (step != LeaveStep.LxdReset) held ??= await HostLock.AcquireAsync(env.Layout.ConvergeLockFile, Timings.Convergence.ConvergeLockTimeout, ct);
                await RunStepAsync(step);
                env.Log($"step {LeavePlanner.Name(step)}: done");
            }
        }
        finally
        {
            held?.Dispose();
        }
        return new LeaveResult(identity?.Member, plan, true, aside);

        async Task RunStepAsync(LeaveStep step)
        {
            switch (step)
            {
                case LeaveStep.LxdReset:
                    aside = await reset.RunAsync(ct);
                    break;
                case LeaveStep.Terrarium when identity is not null:
                    using (var lxd = env.Lxd())
                        await NodeConverger.ForAgent(env).LeaveAsync(identity, lxd, await lxd.GetServerAsync(ct));
                    break;
                case LeaveStep.Terrarium:
                    using (await MeshRestore.AcquireMeshLockAsync(env)) await NodeConverger.TearDownAsync(env, iface);
                    await ServiceUnits.RemoveAsync(env);
                    break;
                case LeaveStep.Units:
                    await ServiceUnits.RemoveAsync(env);
                    break;
            }
        }
    }

    private async Task<LeaveFacts> FactsAsync(NodeIdentity? identity, string iface, CancellationToken ct)
    {
        var handshakes = await new WireGuardInterface(env.Tools, iface).HandshakesByKeyAsync();
        var units = new[] { ServiceUnits.Mesh, ServiceUnits.Agent }.Any(u => File.Exists(env.Layout.UnitFile(u)));
        // Asked with a short bound: an LXD waiting for its database leader does not answer at all (not even GET /1.0).
        var lxd = await env.ServerWithinAsync(Timings.Lifecycle.LeaveLxdBound, ct) is { } server
            ? server.Environment.ServerClustered ? LxdClusterState.Clustered : LxdClusterState.Standalone
            : LxdClusterState.NotAnswering;
        return new LeaveFacts(identity?.Member, lxd, Cluster.Status.Isolation.LatestHandshakeAge(handshakes, env.Clock()), handshakes is not null, units);
    }

    private static string Describe(LeaveStep step, LxdReset reset, string iface, string socket) => step switch
    {
        LeaveStep.LxdReset => $"stop {LxdServerProfile.ServiceUnitOfSocket(socket)}, move its cluster database and the instances, pools and networks it knew " +
                              $"to {reset.DataDir}/terrarium-left-TIME (kept, not deleted), start it as a server of its own",
        LeaveStep.Terrarium => $"stop OVN here (daemons, bridges, raft files), delete the mesh interface {iface}, the firewall table, the keys and this server's identity, remove the boot units",
        _ => $"remove the boot units {ServiceUnits.Mesh} and {ServiceUnits.Agent}",
    };
}
