using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Placement;
using System.Net;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Crypto;
using Terrarium.Cluster.Firewall;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Files;
using Terrarium.Host.Firewall;
using Terrarium.Host.WireGuard;
using Terrarium.Lxd;
using Terrarium.Operations.Identity;
using Terrarium.Host.Processes;
using Terrarium.Operations.Journal;
using Terrarium.Operations.Ovn;
using Terrarium.Operations.Routes;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Convergence;

/// <summary>What one convergence pass found and changed.</summary>
public sealed record ConvergeResult(string State, int Peers, bool MeshChanged, bool FirewallChanged, int RecordsCleaned, DateTimeOffset? NextExpiry,
    RouteSyncResult? Routes = null, OvnResult? Ovn = null, string? OvnError = null)
{
    public const string Member = "member";
    public const string NotMember = "not-a-member";
    public const string Left = "left";

    public bool Changed => MeshChanged || FirewallChanged || RecordsCleaned > 0 || State == Left || Routes?.Changed == true || Ovn?.Changed == true;

    /// <summary>A routed instance is running but has no address yet (DHCP): worth looking again soon.</summary>
    public bool AwaitingAddresses => Routes?.AwaitingAddress.Count > 0;
    public bool AwaitingMember => Routes?.AwaitingMember.Count > 0;

    /// <summary>How long each concern took in this pass.</summary>
    public IReadOnlyList<(string Concern, TimeSpan Elapsed)> Timings { get; init; } = [];

    /// <summary>"ovn 41.2 s, mesh 0.1 s": the concerns of a slow pass, slowest first.</summary>
    public string DescribeTimings() =>
        string.Join(", ", Timings.OrderByDescending(t => t.Elapsed).Select(t => $"{t.Concern} {t.Elapsed.TotalSeconds:0.0} s"));
}

/// <summary>
/// C-11 / S-3: one convergence pass of this node, in two parts with a lock each. The host part
/// (<see cref="SharedRecordsReconciler"/>, <see cref="MeshReconciler"/>, <see cref="FirewallReconciler"/> and, unless the
/// agent's route worker owns them, <see cref="RouteReconciler"/>) runs under the converge lock; the OVN part
/// (<see cref="OvnReconcilers"/>, whose daemon calls may each wait 10-20 s) under its own lock, so that a new peer or a
/// removed one never waits behind OVN. `reconfigure` and the commands run both parts once, one after the other; the
/// agent runs each on its own worker.
/// </summary>
public sealed class NodeConverger
{

    private readonly NodeEnvironment env;
    private readonly bool _insideLifecycle;

    /// <summary>The converger of a command (`reconfigure`, invite, remove, ovn configure): every concern, routes included.</summary>
    public NodeConverger(NodeEnvironment env) : this(env, insideLifecycle: false, withRoutes: true) { }

    private NodeConverger(NodeEnvironment env, bool insideLifecycle, bool withRoutes)
    {
        this.env = env;
        _insideLifecycle = insideLifecycle;
        Mesh = new MeshReconciler(env, lockMesh: !insideLifecycle);
        Firewall = new FirewallReconciler(env);
        Routes = new RouteReconciler(env);
        IReconciler[] concerns = [new SharedRecordsReconciler(env), Mesh, Firewall];
        Loop = new ConvergenceLoop(withRoutes ? [.. concerns, Routes] : concerns, env.Time);
        OvnLoop = new ConvergenceLoop(OvnReconcilers.Create(env), env.Time);
    }

    /// <summary>The agent's: its route worker keeps routes in step on instance events (<see cref="SyncRoutesAsync"/>).</summary>
    public static NodeConverger ForAgent(NodeEnvironment env) => new(env, insideLifecycle: false, withRoutes: false);

    /// <summary>Init's and join's: they converge while their own journal is still open.</summary>
    public static NodeConverger ForLifecycle(NodeEnvironment env) => new(env, insideLifecycle: true, withRoutes: true);

    public MeshReconciler Mesh { get; }
    public FirewallReconciler Firewall { get; }
    public RouteReconciler Routes { get; }
    public ConvergenceLoop Loop { get; }

    /// <summary>The OVN part's loop (<see cref="OvnReconcilers"/>): what the agent's OVN worker runs, and what its watchdog reports.</summary>
    public ConvergenceLoop OvnLoop { get; }

    /// <summary>Both parts, the host's first (OVN reaches its peers over the mesh that part converges).</summary>
    public async Task<ConvergeResult> ConvergeAsync(CancellationToken ct = default)
    {
        var host = await ConvergeHostAsync(ct);
        if (host.State != ConvergeResult.Member) return host;
        var ovn = await ConvergeOvnAsync(ct);
        return host with { Ovn = ovn.Ovn, OvnError = ovn.OvnError, Timings = [.. host.Timings, .. ovn.Timings] };
    }

    /// <summary>Shared records, mesh, firewall (and routes unless the agent's route worker owns them), under the converge lock.</summary>
    public async Task<ConvergeResult> ConvergeHostAsync(CancellationToken ct = default)
    {
        // The agent and a command may converge at the same moment; their host changes must not interleave. LXD is
        // read under the lock, so a pass that waited for a command applies what the command left, not what was before.
        // (The agent's mesh heal takes the mesh lock instead: a pass may hold this one while LXD waits on its database.)
        return await UnderLockAsync(env.Layout.ConvergeLockFile, Loop, async (identity, lxd, server) =>
        {
            // LXD no longer has this server in a cluster (`cluster remove` ran on another member):
            // take down what Terrarium set up here so that nothing keeps pointing at the old mesh.
            await LeaveAsync(identity, lxd, server);
            return Nothing(ConvergeResult.Left);
        }, (context, outcomes) =>
        {
            T? Of<T>() where T : ReconcileOutcome => outcomes.OfType<T>().FirstOrDefault();
            return new ConvergeResult(ConvergeResult.Member, context.Desired.Peers.Count, Of<MeshOutcome>()?.Changed == true,
                outcomes.FirstOrDefault(o => o.Concern == FirewallReconciler.Name)?.Changed == true,
                Of<RecordsOutcome>()?.Removed ?? 0, context.Config.NextExpiry(env.Clock()), Of<RoutesOutcome>()?.Result);
        }, ct);
    }

    /// <summary>OVN's daemons, certificates, raft membership and workload network, under the OVN lock.</summary>
    public async Task<ConvergeResult> ConvergeOvnAsync(CancellationToken ct = default) =>
        await UnderLockAsync(env.Layout.OvnLockFile, OvnLoop, (_, _, _) => Task.FromResult(Nothing(ConvergeResult.NotMember)), // the host part leaves
            (context, outcomes) => Nothing(ConvergeResult.Member) with
            {
                Peers = context.Desired.Peers.Count,
                Ovn = OvnReconcilers.Result(context.OvnPass, outcomes),
                OvnError = outcomes.FirstOrDefault(o => o.Error is not null) is { } failed ? $"{failed.Concern}: {failed.Error}" : null,
            }, ct);

    /// <summary>
    /// One part of a pass: this node a member (and no init/join under way), <paramref name="lockFile"/> held, LXD read
    /// under it, then <paramref name="loop"/> over the shared configuration.
    /// </summary>
    private async Task<ConvergeResult> UnderLockAsync(string lockFile, ConvergenceLoop loop,
        Func<NodeIdentity, ILxdClient, Lxd.Wire.ServerInfo, Task<ConvergeResult>> notClustered,
        Func<ConvergenceContext, IReadOnlyList<ReconcileOutcome>, ConvergeResult> result, CancellationToken ct)
    {
        var identity = NodeIdentity.Load(env.Layout);
        var key = KeyStore.Load(env.Layout);
        if (identity is null || key is null || (!_insideLifecycle && LifecycleInProgress())) return Nothing(ConvergeResult.NotMember);
        using var held = await HostLock.AcquireAsync(lockFile, Timings.Convergence.ConvergeLockTimeout, ct);
        using var lxd = env.Lxd();
        var server = await lxd.GetServerAsync(ct);
        if (!server.Environment.ServerClustered) return await notClustered(identity, lxd, server);

        var store = new SharedConfigStore(lxd);
        var config = await store.LoadAsync(ct);
        if (config.Settings is null || config.Member(identity.Member) is null) return Nothing(ConvergeResult.NotMember);

        var context = new ConvergenceContext(env, lxd, store, identity, key, config);
        var outcomes = await loop.RunAsync(context, ct);
        return result(context, outcomes) with { Timings = outcomes.Select(o => (o.Concern, o.Elapsed)).ToList() };
    }

    /// <summary>
    /// T-2/T-3 on their own: re-render the routes after instance events (only <paramref name="instances"/> are
    /// re-read; null means all), and tune the NICs of local instances for the userspace datapath. Mesh and
    /// firewall cannot change with an instance, and every LXD call crosses the mesh to the database leader.
    /// </summary>
    public async Task<ConvergeResult> SyncRoutesAsync(IReadOnlyCollection<InstanceRef>? instances, CancellationToken ct)
    {
        var identity = NodeIdentity.Load(env.Layout);
        if (identity is null || LifecycleInProgress()) return Nothing(ConvergeResult.NotMember);
        using var lxd = env.Lxd();
        var routes = await Routes.SyncAsync(lxd, instances, ct);
        try
        {
            await new OvnConverger(env).TuneLocalInstancesAsync(lxd, identity.Member, routes.Read, ct);
        }
        catch (Exception e) when (e is ProcessFailedException or LxdException or IOException)
        {
            return Nothing(ConvergeResult.Member) with { Routes = routes, OvnError = e.Message };
        }
        return Nothing(ConvergeResult.Member) with { Routes = routes };
    }

    /// <summary>Whether pending invites wait to be seen from their address (the agent then looks every second).</summary>
    public bool InvitesPending => Firewall.InvitesPending;

    public Task<bool> RebindInvitesAsync() => Firewall.RebindInvitesAsync();

    /// <summary>Removes LXD's listen addresses on the mesh, OVN, the mesh interface, the firewall table and this node's identity.</summary>
    public async Task LeaveAsync(NodeIdentity identity, ILxdClient lxd, Lxd.Wire.ServerInfo server)
    {
        env.Log($"{identity.Member} is no longer in an LXD cluster: removing LXD's mesh listen addresses, its OVN daemons and bridges, mesh interface, firewall table and identity");
        // First, while the identity still says which address was the mesh's: should LXD not answer (it restarts itself
        // after its removal), this throws and the next pass does the whole leave again.
        if (MeshListenAddresses.Unset(server.Config, identity.MeshAddress) is { Count: > 0 } unset)
        {
            try
            {
                await lxd.SetServerConfigAsync(unset);
                env.Log($"LXD no longer listens on {identity.MeshAddress} ({string.Join(", ", unset.Keys)} unset; its unix socket stays)");
            }
            catch (LxdException e) when (e.Status is not null) // LXD answered and refused: retrying would not change that
            {
                env.Log($"LXD refused to unset {string.Join(", ", unset.Keys)} ({e.Message}); unset them by hand, or LXD fails to listen at its next start");
            }
        }
        try
        {
            using var ovnLock = await HostLock.AcquireAsync(env.Layout.OvnLockFile, Timings.Convergence.ConvergeLockTimeout);
            await new OvnConverger(env).LeaveAsync();
        }
        catch (Exception e) when (e is ProcessFailedException or TimeoutException or IOException)
        {
            env.Log($"stopping OVN: {e.Message}");
        }
        // Interface and identity go under the mesh lock together: the agent's heal cannot bring the mesh back between the two.
        using (await Boot.MeshRestore.AcquireMeshLockAsync(env))
        {
            await TearDownAsync(env, identity.Interface ?? MeshSettings.DefaultInterface);
            NodeIdentity.Delete(env.Layout);
        }
        await Boot.ServiceUnits.RemoveAsync(env);
    }

    /// <summary>Undoes what init/join set up on this host (used by a rolled-back join and by leave).</summary>
    public static async Task TearDownAsync(NodeEnvironment env, string meshInterface)
    {
        await new WireGuardInterface(env.Tools, meshInterface).DeleteAsync();
        await new NftablesFirewall(env.Tools, env.Layout.NftablesFile).RemoveAsync();
        File.Delete(env.Layout.NftablesFile);
        File.Delete(env.Layout.NftablesFile + ".loaded");
        File.Delete(env.Layout.WireGuardConfig(meshInterface));
        KeyStore.DeleteAll(env.Layout);
    }

    private bool LifecycleInProgress() => OperationJournal.LifecycleInProgress(env.Layout);

    private static ConvergeResult Nothing(string state) => new(state, 0, false, false, 0, null);
}
