using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Cluster.Ovn;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Files;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Routes;

/// <summary>What one route sync found.</summary>
public sealed record RouteSyncResult(bool Changed, int Routes, int Backends, IReadOnlyList<string> Errors, IReadOnlyList<string> AwaitingAddress)
{
    public IReadOnlyList<RouteConflict> Conflicts { get; init; } = [];
    public IReadOnlyList<LocalRoute> LocalOnly { get; init; } = [];

    /// <summary>The instances this sync read from LXD: every one on a full sync, else those the event named (deleted ones left out).</summary>
    public IReadOnlyList<Instance> Read { get; init; } = [];

    /// <summary>Instances whose routes wait for their member to answer again (see <see cref="RoutePlan.AwaitingMember"/>).</summary>
    public IReadOnlyList<InstanceRef> AwaitingMember { get; init; } = [];
}

/// <summary>
/// T-1..T-3: renders Traefik's dynamic configuration on this node from the routes declared on every instance
/// of every project, and writes it atomically, only when it changed (Traefik's file provider reloads on rename).
/// It keeps what it last saw: an event about a few instances refreshes only those (every LXD call crosses the
/// mesh to the database leader), a full sync refreshes everything, members, networks and host claims included.
/// </summary>
/// <remarks>
/// Recording who owns a route host is an LXD write; it is made off the route's path (in the background,
/// one recording at a time) and, after an event, by one member only: the first online member by name. Every member
/// renders the same owner before any claim exists, so the file never waits for the write, and a route change does not
/// cost every agent of the cluster a write to the database leader. A full sync (every resync) records what is still
/// missing on any member, so claims are recorded even while that member's agent is down.
/// </remarks>
public sealed class RouteSync(NodeEnvironment env)
{
    private readonly Dictionary<InstanceRef, Instance> _instances = [];
    private readonly Dictionary<string, Network> _networks = new(StringComparer.Ordinal);
    private Dictionary<string, string> _claims = new(StringComparer.Ordinal);
    private HashSet<string>? _online;
    private string? _self;
    private IReadOnlyList<IPNetwork> _mesh = [];
    private readonly Lock _recorded = new();
    // What recordings did since the last sync, applied to the claims that sync knows (a full sync may have read newer ones).
    private readonly List<string> _releasedSince = [];
    private readonly Dictionary<string, string> _claimedSince = new(StringComparer.Ordinal);
    private Task<bool> _recording = Task.FromResult(false);
    private IReadOnlyList<InstanceRef> _awaitingMember = [];

    /// <summary>What HTTPS adds to the file (certificates, redirect, the ACME challenge path); set by the agent's certificate worker.</summary>
    public TlsRendering? Tls { get; set; }

    /// <summary>The hosts the last sync served (with at least one backend): the ones that need a certificate.</summary>
    public IReadOnlyCollection<string> ServedHosts { get; private set; } = [];

    /// <summary>Called when a recording found a host already claimed by another project: the routes must render again.</summary>
    public Action? OwnershipLost { get; set; }

    /// <summary>The claim recording the last sync started (true: a host turned out to be another project's).</summary>
    public Task<bool> Recording => _recording;

    /// <param name="changed">Instances an event named; null (or a first sync) means look at everything.</param>
    public async Task<RouteSyncResult> SyncAsync(ILxdClient lxd, CancellationToken ct, IReadOnlyCollection<InstanceRef>? changed = null)
    {
        var store = new SharedConfigStore(lxd);
        List<Instance> read;
        if (changed is null || _online is null)
        {
            var membersCall = lxd.GetClusterMembersAsync(ct);
            var instancesCall = lxd.GetAllInstancesAsync(ct);
            var networksCall = lxd.GetNetworksAsync(ct);
            var configCall = store.LoadAsync(ct);
            _online = Online(await membersCall);
            _instances.Clear();
            foreach (var i in await instancesCall) _instances[InstanceRef.Of(i.Project, i.Name)] = i;
            _networks.Clear();
            foreach (var n in await networksCall) _networks[n.Name] = n;
            _claims = (await configCall).RouteClaims.ToDictionary(c => c.Host, c => c.Project, StringComparer.Ordinal);
            // Who this node is and its mesh change only with a join or remove, after which a full sync runs.
            var identity = NodeIdentity.Load(env.Layout);
            _self = identity?.Member;
            _mesh = IPNetwork.TryParse(identity?.MeshCidr ?? "", out var cidr) ? [cidr] : [];
            await Task.WhenAll(_instances.Values.Where(Serving).Select(i => LoadStateAsync(lxd, i, ct)));
            read = [.. _instances.Values];
        }
        else
        {
            await Task.WhenAll(changed.Select(i => RefreshAsync(lxd, i, ct)));
            read = [.. changed.Select(i => _instances.GetValueOrDefault(i)).OfType<Instance>()];
            // LXD sends no event when a member comes back, and loses the events of its instances until it reconnects to
            // it (a heartbeat later): while routes wait on a member, or an event names an instance on a member held
            // offline, read the members again; a change of who is online takes a full look.
            if (_awaitingMember.Count > 0 || read.Any(i => !_online.Contains(i.Location)))
            {
                var online = Online(await lxd.GetClusterMembersAsync(ct));
                if (!online.SetEquals(_online)) return await SyncAsync(lxd, ct);
                // A member LXD still lists online but could not reach (a reboot shorter than LXD's offline threshold):
                // its instances read "Error" until asked again; after its restart, it starts what ran before.
                foreach (var waiting in _awaitingMember.Except(changed))
                    if (_instances.GetValueOrDefault(waiting) is { } known && online.Contains(known.Location) &&
                        RoutePlanner.WaitsOnMember(known.Power(), known.Config))
                        await TryRefreshAsync(lxd, waiting, ct);
            }
        }
        lock (_recorded)
        {
            foreach (var host in _releasedSince) _claims.Remove(host);
            foreach (var (host, owner) in _claimedSince) _claims[host] = owner;
            _releasedSince.Clear();
            _claimedSince.Clear();
        }
        var plan = Plan();
        _awaitingMember = plan.AwaitingMember;
        // Render first: every member decides a new host's owner the same way, so recording the claim (an LXD write)
        // is not on the route's path; only a lost race (two projects at once) renders again, woken by OwnershipLost.
        var written = Render(plan);
        if ((plan.Ownership.ToClaim.Count > 0 || plan.Ownership.ToRelease.Count > 0) && _recording.IsCompleted &&
            (changed is null || _self == _online!.Min(StringComparer.Ordinal)))
            _recording = RecordOwnershipAsync(plan.Ownership);
        var routes = plan.Backends.Select(b => (b.Route.Host, b.Route.PathPrefix)).Distinct().Count();
        return new RouteSyncResult(written, routes, plan.Backends.Count, plan.Errors, plan.AwaitingAddress) { Conflicts = plan.Conflicts, LocalOnly = plan.LocalOnly, Read = read, AwaitingMember = plan.AwaitingMember };
    }

    private bool Render(RoutePlan plan)
    {
        ServedHosts = plan.Backends.Select(b => b.Route.Host).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return AtomicFile.WriteIfChanged(env.Layout.TraefikDynamicFile, TraefikConfigRenderer.Render(plan.Backends, Tls));
    }

    internal static HashSet<string> Online(IEnumerable<ClusterMember> members) =>
        members.Where(m => m.State() == MemberState.Online).Select(m => m.ServerName).ToHashSet();

    private RoutePlan Plan() => RoutePlanner.Plan(_instances.Values.Select(i => Routed(i, _networks)), _online!, _self, _claims, _mesh);

    /// <summary>
    /// Records first claims (the first insert wins; a lost race adopts the winner) and drops claims nobody holds,
    /// releases first so a freed host can be claimed by the next project. Its own LXD client: the caller's is gone by then.
    /// </summary>
    private async Task<bool> RecordOwnershipAsync(OwnershipDecision decision)
    {
        await Task.Yield(); // the caller goes on rendering; this runs beside it
        var lost = false;
        try
        {
            using var lxd = env.Lxd();
            var store = new SharedConfigStore(lxd);
            foreach (var host in decision.ToRelease)
            {
                await store.ReleaseRouteHostAsync(host);
                lock (_recorded) _releasedSince.Add(host);
                env.Log($"route host {EchoText.Escaped(host)} released: its project no longer declares it");
            }
            foreach (var (host, project) in decision.ToClaim)
            {
                if (await store.ClaimRouteHostAsync(host, project, env.Clock()) is not { } owner) continue;
                lock (_recorded) _claimedSince[host] = owner;
                lost |= owner != project;
            }
        }
        catch (Exception e) when (e is LxdException or IOException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            env.Log($"recording route host owners failed ({EchoText.Escaped(e.Message, 512)}); the next sync tries again");
            return false;
        }
        if (lost) OwnershipLost?.Invoke();
        return lost;
    }

    /// <summary>The planner's view of an instance: its serving NIC's address, network and that network's subnet.</summary>
    public static RoutedInstance Routed(Instance i, IReadOnlyDictionary<string, Network> networks)
    {
        var nic = ServingNic(i);
        IPNetwork? subnet = null;
        IPAddress? gateway = null;
        // A managed network's ipv4.address is the host's address with the prefix ("10.254.0.1/24").
        if (nic?.Network is { } name && networks.TryGetValue(name, out var network) &&
            network.Config.GetValueOrDefault("ipv4.address") is { } cidr && MeshSettings.NetworkOf(cidr) is { } net)
        {
            gateway = IPAddress.Parse(cidr.Split('/')[0]);
            subnet = IPNetwork.Parse(net);
        }
        return new RoutedInstance(i.Name, i.Power(), i.Location, i.Config, nic is null ? null : AddressOn(i, nic.Value.Device))
        {
            Project = i.Project, CreatedAt = i.CreatedAt, Network = nic?.Network, Subnet = subnet, Gateway = gateway,
        };
    }

    /// <summary>
    /// The NIC whose address other members reach the instance at: the one on terrarium-ovn when it has one, else its
    /// first NIC by device name (a member-local network). Its network is the managed network, or the parent bridge.
    /// </summary>
    public static (string Device, string? Network)? ServingNic(Instance instance) =>
        instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic")
            .OrderByDescending(d => d.Value.GetValueOrDefault("network") == OvnNetworkSettings.NetworkName)
            .ThenBy(d => d.Key, StringComparer.Ordinal)
            .Select(d => ((string Device, string? Network)?)(d.Value.GetValueOrDefault("name", d.Key), d.Value.GetValueOrDefault("network") ?? d.Value.GetValueOrDefault("parent")))
            .FirstOrDefault();

    private static string? AddressOn(Instance instance, string nic) =>
        instance.State?.Network is { } network && network.TryGetValue(nic, out var state)
            ? state.Addresses.FirstOrDefault(a => a.Family == "inet" && a.Scope == "global")?.Address
            : null;

    /// <summary>The IPv4 other members reach the instance at (on its serving NIC), once it has one.</summary>
    public static string? WorkloadAddress(Instance instance) => ServingNic(instance) is { } nic ? AddressOn(instance, nic.Device) : null;

    /// <summary>Refreshes an instance whose member may still not answer: a failure keeps what was known.</summary>
    private async Task TryRefreshAsync(ILxdClient lxd, InstanceRef which, CancellationToken ct)
    {
        try
        {
            await RefreshAsync(lxd, which, ct);
        }
        catch (LxdException)
        {
        }
    }

    /// <summary>Re-reads one instance; its address is kept while it runs on the same member, else asked for again.</summary>
    private async Task RefreshAsync(ILxdClient lxd, InstanceRef which, CancellationToken ct)
    {
        Instance fresh;
        try
        {
            fresh = await lxd.GetInstanceAsync(which.Name, which.Project, ct);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            _instances.Remove(which);
            return;
        }
        // Frozen and thawed again (a snapshot, a pre-copy round) keeps the address it had.
        if (_instances.TryGetValue(which, out var known) && (known.Status == fresh.Status || (known.Power().Serves() && fresh.Power().Serves())) &&
            known.Location == fresh.Location && WorkloadAddress(known) is not null)
            fresh.State = known.State;
        _instances[which] = fresh;
        if (fresh.State is null && Serving(fresh)) await LoadStateAsync(lxd, fresh, ct);
    }

    // Runtime state (addresses) is only worth asking for routed instances that can serve.
    private bool Serving(Instance i) =>
        i.Power().Serves() && _online!.Contains(i.Location) &&
        i.Config.Keys.Any(k => k.StartsWith(RouteDeclaration.KeyPrefix, StringComparison.Ordinal));

    private static async Task LoadStateAsync(ILxdClient lxd, Instance instance, CancellationToken ct)
    {
        try
        {
            instance.State = await lxd.GetInstanceStateAsync(instance.Name, ct, instance.Project);
        }
        catch (LxdException e) when (e.IsNotFound)
        {
            instance.State = null; // deleted meanwhile: the next event re-renders
        }
    }
}
