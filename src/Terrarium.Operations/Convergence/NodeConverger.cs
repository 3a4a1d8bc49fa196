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
}

/// <summary>
/// C-11 / S-3: makes this node's WireGuard interface and firewall match the shared configuration. Idempotent;
/// `reconfigure` runs it once, the agent on every relevant LXD event and on a timer. Any member also clears
/// expired invites and orphan leases, so cleanup never depends on the member that created them.
/// </summary>
public sealed class NodeConverger(NodeEnvironment env)
{
    public static readonly TimeSpan LeaseGrace = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ConvergeLockTimeout = TimeSpan.FromMinutes(5);

    // One per converger: it remembers instances between passes so that an instance event costs one or two calls.
    private readonly RouteSync _routes = new(env);

    /// <param name="fromLifecycle">True when init/join call it themselves (their journal is still open then).</param>
    /// <param name="includeRoutes">False when the caller keeps routes in step itself (the agent's route worker).</param>
    public async Task<ConvergeResult> ConvergeAsync(CancellationToken ct = default, bool fromLifecycle = false, bool includeRoutes = true)
    {
        var identity = NodeIdentity.Load(env.Layout);
        var key = KeyStore.Load(env.Layout);
        if (identity is null || key is null || (!fromLifecycle && LifecycleInProgress())) return Nothing(ConvergeResult.NotMember);

        // The agent and a command may converge at the same moment; their host changes must not interleave.
        using var hostLock = await HostLock.AcquireAsync(env.Layout.ConvergeLockFile, ConvergeLockTimeout, ct);
        using var lxd = env.Lxd();
        var server = await lxd.GetServerAsync(ct);
        if (!server.Environment.ServerClustered)
        {
            // LXD no longer has this server in a cluster (`cluster remove` ran on another member):
            // take down what Terrarium set up here so that nothing keeps pointing at the old mesh.
            await LeaveAsync(identity);
            return Nothing(ConvergeResult.Left);
        }

        var store = new SharedConfigStore(lxd);
        var config = await store.LoadAsync(ct);
        if (config.Settings is null || config.Member(identity.Member) is null) return Nothing(ConvergeResult.NotMember);

        var cleaned = await CleanUpAsync(lxd, store, config, ct);
        if (cleaned > 0) config = await store.LoadAsync(ct);

        var desired = NodeDesiredState.Compute(config, identity.Member, env.Clock());
        var meshChanged = await ApplyMeshAsync(desired.Mesh, desired.MeshAddress, desired.Peers, key);
        bool firewallChanged;
        await _firewallGate.WaitAsync(ct);
        try
        {
            _invites = NodeDesiredState.LiveInvites(config, identity.Member, env.Clock()).ToList();
            _firewall = desired.Firewall;
            firewallChanged = await ApplyFirewallAsync(await BindInvitesAsync());
        }
        finally
        {
            _firewallGate.Release();
        }
        // OVN must not hold the mesh and firewall hostage: a failure there is reported, the rest still converges.
        OvnResult? ovn = null;
        string? ovnError = null;
        try
        {
            ovn = await new OvnConverger(env).ConvergeAsync(lxd, store, config, identity, ct);
        }
        catch (Exception e) when (e is ProcessFailedException or TimeoutException or IOException or InvalidOperationException or LxdException)
        {
            ovnError = e.Message;
        }
        var routeResult = includeRoutes ? await _routes.SyncAsync(lxd, ct) : null;
        return new ConvergeResult(ConvergeResult.Member, desired.Peers.Count, meshChanged, firewallChanged, cleaned, config.NextExpiry(env.Clock()),
            routeResult, ovn, ovnError);
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
        var routes = await _routes.SyncAsync(lxd, ct, instances);
        try
        {
            await new OvnConverger(env).TuneLocalInstancesAsync(lxd, identity.Member, ct);
        }
        catch (Exception e) when (e is ProcessFailedException or LxdException or IOException)
        {
            return Nothing(ConvergeResult.Member) with { Routes = routes, OvnError = e.Message };
        }
        return Nothing(ConvergeResult.Member) with { Routes = routes };
    }

    /// <summary>Writes the wg(8) config (0600: it holds the private key) and applies it live.</summary>
    public async Task<bool> ApplyMeshAsync(MeshSettings mesh, IPAddress address, IEnumerable<WireGuardPeer> peers, WireGuardKeyPair key)
    {
        var path = env.Layout.WireGuardConfig(mesh.Interface);
        var changed = AtomicFile.WriteIfChanged(path, WireGuardConfigRenderer.Render(key.PrivateKey, mesh.Port, peers), AtomicFile.SecretMode);
        if (NodeIdentity.Load(env.Layout) is { } identity)
        {
            (identity.MeshCidr, identity.Port, identity.Mtu, identity.Interface) = (mesh.Cidr, mesh.Port, mesh.Mtu, mesh.Interface);
            identity.Save(env.Layout);
        }
        var wg = new WireGuardInterface(env.Tools, mesh.Interface);
        var existed = await wg.ExistsAsync();
        await wg.EnsureUpAsync(address, mesh.PrefixLength, mesh.Mtu);
        // syncconf on every pass also heals hand edits; it never disturbs unchanged peers (M-4).
        await wg.SyncConfAsync(path);
        return changed || !existed;
    }

    private readonly SemaphoreSlim _firewallGate = new(1, 1);
    private FirewallPlan? _firewall;
    private IReadOnlyList<InviteRecord> _invites = [];
    private IReadOnlyList<System.Net.IPAddress> _unbound = [];

    /// <summary>Whether pending invites wait to be seen from their address (the agent then looks every second).</summary>
    public bool InvitesPending => _firewall is not null && _invites.Count > 0;

    /// <summary>Issue #9: the last firewall plan with each pending invite opened once WireGuard saw it at its own address.</summary>
    private async Task<FirewallPlan> BindInvitesAsync()
    {
        var plan = _firewall!;
        if (_invites.Count > 0)
        {
            var endpoints = new Dictionary<string, string?>();
            foreach (var h in await new WireGuardInterface(env.Tools, plan.MeshInterface).HandshakesAsync()) endpoints[h.PublicKey] = h.Endpoint;
            plan = plan with { UnboundInvites = InviteBinding.Unbound(_invites, endpoints) };
        }
        _unbound = plan.UnboundInvites;
        return plan;
    }

    /// <summary>Re-applies the firewall when an invite's binding changed since the last pass; true when it did.</summary>
    public async Task<bool> RebindInvitesAsync()
    {
        if (!InvitesPending) return false;
        await _firewallGate.WaitAsync();
        IReadOnlyList<System.Net.IPAddress> before;
        FirewallPlan plan;
        try
        {
            before = _unbound;
            plan = await BindInvitesAsync();
            if (before.SequenceEqual(plan.UnboundInvites)) return false;
            await ApplyFirewallAsync(plan);
        }
        finally
        {
            _firewallGate.Release();
        }
        foreach (var opened in before.Except(plan.UnboundInvites))
            env.Log($"invite at mesh address {opened} seen from its own address: cluster ports open to it");
        foreach (var closed in plan.UnboundInvites.Except(before))
            env.Log($"invite at mesh address {closed} used from another address: cluster ports closed to it");
        return true;
    }

    public async Task<bool> ApplyFirewallAsync(FirewallPlan plan)
    {
        var changed = await new NftablesFirewall(env.Tools, env.Layout.NftablesFile).ApplyAsync(NftablesRenderer.Render(plan));
        var ufw = new UfwCoexistence(env.Tools);
        if (changed && await ufw.IsActiveAsync())
            await ufw.ApplyAsync(UfwRules.For(plan));
        return changed;
    }

    /// <summary>Removes the mesh interface, the firewall table and this node's Terrarium identity.</summary>
    public async Task LeaveAsync(NodeIdentity identity)
    {
        env.Log($"{identity.Member} is no longer in an LXD cluster: removing its OVN daemons, mesh interface, firewall table and identity");
        try
        {
            await new OvnConverger(env).LeaveAsync();
        }
        catch (Exception e) when (e is ProcessFailedException or TimeoutException or IOException)
        {
            env.Log($"stopping OVN: {e.Message}");
        }
        await TearDownAsync(env, identity.Interface ?? MeshSettings.DefaultInterface);
        NodeIdentity.Delete(env.Layout);
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

    private bool LifecycleInProgress() =>
        OperationJournal.InProgress(env.Layout, "init") || OperationJournal.InProgress(env.Layout, "join");

    /// <summary>Expired invites lose their LXD token, row and lease; used invites and orphan leases go too.</summary>
    private async Task<int> CleanUpAsync(LxdClient lxd, SharedConfigStore store, SharedConfig config, CancellationToken ct)
    {
        var now = env.Clock();
        var removed = 0;
        foreach (var invite in config.ExpiredInvites(now))
        {
            await RevokeInviteAsync(lxd, store, config, invite, ct);
            env.Log($"expired invite for {invite.Name} removed (mesh address {invite.MeshAddress} released)");
            removed++;
        }
        foreach (var invite in config.UsedInvites())
        {
            await store.DeleteInviteAsync(invite.Name, ct);
            removed++;
        }
        foreach (var lease in config.OrphanLeases(now, LeaseGrace))
        {
            await store.ReleaseLeaseAsync(lease.Address, ct);
            env.Log($"orphan lease on {lease.Address} (held by {lease.Holder}) released");
            removed++;
        }
        return removed;
    }

    /// <summary>Cancels an invite's LXD join token and removes its row and lease. Safe to race with another member.</summary>
    public static async Task RevokeInviteAsync(LxdClient lxd, SharedConfigStore store, SharedConfig config, InviteRecord invite, CancellationToken ct)
    {
        if (invite.TokenOperation.Length > 0)
        {
            try { await lxd.CancelOperationAsync(invite.TokenOperation, ct); }
            catch (LxdException) { /* already used, expired or gone */ }
        }
        await store.DeleteInviteAsync(invite.Name, ct);
        if (config.Leases.Any(l => l.Address == invite.MeshAddress && l.Holder == invite.Name))
            await store.ReleaseLeaseAsync(invite.MeshAddress, ct);
    }

    private static ConvergeResult Nothing(string state) => new(state, 0, false, false, 0, null);
}
