using Terrarium.Cluster.Config;
using Terrarium.Cluster.Status;
using Terrarium.Host.Firewall;
using Terrarium.Host.Ovn;
using Terrarium.Host.WireGuard;
using Terrarium.Lxd;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Status;

/// <summary>
/// C-4: gathers LXD's member list, the shared configuration and what this node sees (handshakes, its
/// interface and firewall table), then lets <see cref="StatusAnalyzer"/> judge. A missing optional tool
/// (wg, nft) only leaves its column empty; it never fails the command.
/// </summary>
public sealed class StatusCollector(NodeEnvironment env)
{
    public async Task<StatusReport> CollectAsync(CancellationToken ct = default)
    {
        using var lxd = env.Lxd();
        var identity = NodeIdentity.Load(env.Layout);
        // Server, configuration and members are read at once, each bounded: all three wait on LXD's database, which
        // waits 10-30 s for an absent leader; status then shows Terrarium's records and this node's own observations.
        // An LXD that cannot be reached at all says so (which socket, what to do); only a slow answer is bounded.
        var serverCall = Bounded(t => lxd.GetServerAsync(t), ct, Timings.Status.DatabaseTimeout, failures: false);
        // The member list decides whether the database answers; the configuration and the instance list (larger reads,
        // slower on a loaded member) are waited for only when it did, and otherwise taken only if already there.
        var configCall = identity is null ? null : Bounded(t => new SharedConfigStore(lxd).LoadAsync(t), ct, Timings.Status.ReadTimeout, failures: false); // a newer schema must still say so
        var membersCall = identity is null ? null : Bounded(t => lxd.GetClusterMembersAsync(t), ct, Timings.Status.DatabaseTimeout);
        // LXD asks each member for its instances: bounded too, a dead member must not hold the list up.
        var instancesCall = identity is null ? null : Bounded(t => lxd.GetAllInstancesAsync(t), ct, Timings.Status.ReadTimeout); // every project
        var hostCall = identity?.Interface is { } known ? ObserveHostAsync(known) : null; // local programs, not LXD
        var (recorded, portsCall, judged) = StartJudging(identity, ct);
        var (serverAnswered, server) = await Judged(serverCall, judged);
        if (identity is null || serverAnswered && !server!.Environment.ServerClustered)
        {
            await Task.WhenAll(new Task?[] { configCall, membersCall, instancesCall, hostCall }.OfType<Task>()).ContinueWith(_ => { }, TaskScheduler.Default);
            return StatusAnalyzer.Analyze(identity?.Member, SharedConfig.Empty, [], Empty, env.Clock());
        }

        var (membersListed, listedMembers) = await Judged(membersCall!, judged);
        var members = listedMembers ?? [];
        var (configLoaded, loaded) = await IfDatabaseAnswers(configCall!, membersListed);
        var config = configLoaded ? loaded! : recorded!;
        hostCall ??= ObserveHostAsync(config.Settings?.Interface ?? Cluster.Mesh.MeshSettings.DefaultInterface);
        var probes = ProbeMembers(lxd, members, ct);
        var tokens = ProbeTokens(lxd, config, membersListed, ct);
        // Not while LXD's view is unknown: status would pass its 2 s.
        var overlay = membersListed ? ProbeOverlay(config, identity.Member) : [];
        var answers = await Task.WhenAll(probes);
        var tokenWaiting = (await Task.WhenAll(tokens)).Where(t => t.Known).ToDictionary(t => t.Name, t => t.Waiting);
        var memory = answers.Where(a => a.Used is not null).ToDictionary(a => a.ServerName, a => a.Used!.Value);
        var unreachable = answers.Where(a => !a.Answered).Select(a => a.ServerName).ToHashSet();
        if (!membersListed) unreachable.UnionWith(await portsCall!); // LXD's own list is unknown: the ports say who is away
        var (_, listed) = await InstancesAsync(instancesCall!, membersListed, unreachable.Count > 0, ct);
        var instances = listed ?? [];

        var overlayAnswers = (await Task.WhenAll(overlay)).ToDictionary(o => o.Name, o => o.Answers);
        var (up, handshakes, firewall, raft) = await hostCall;
        // The same ownership and reach rules the agents render with (no writes: claims as recorded).
        var routes = Cluster.Routes.RoutePlanner.Plan(instances.Select(i => Routes.RouteSync.Routed(i, new Dictionary<string, Lxd.Wire.Network>())),
            members.Select(m => m.ServerName).ToHashSet(), null, config.RouteClaims.ToDictionary(c => c.Host, c => c.Project, StringComparer.Ordinal));
        var local = new LocalObservations(handshakes, up, firewall,
            instances.GroupBy(i => i.Location).ToDictionary(g => g.Key, g => g.Count()), memory)
        {
            Raft = raft, Unreachable = unreachable, OverlayAnswers = overlayAnswers, InviteTokenWaiting = tokenWaiting, RouteConflicts = routes.Conflicts, LocalRoutes = routes.LocalOnly,
            RouteRefusals = routes.Refused, RouteHosts = [.. routes.Ownership.Owners.Keys],
            LxdMembersTimedOut = membersListed ? null : judged.IsCompleted ? await judged : Timings.Status.DatabaseTimeout, SharedConfigTimedOut = !configLoaded,
            Instances = instances.Select(View).ToList(), Client = serverAnswered && server!.Environment.Server == "incus" ? "incus" : "lxc",
        };
        // Without LXD's list the members are Terrarium's records, their LXD status unknown.
        var views = membersListed
            ? members.Select(m => new LxdMemberView(m.ServerName, m.Status, m.Message, m.Roles)).ToList()
            : config.Members.Select(r => new LxdMemberView(r.Name, "Unknown", "", [])).ToList();
        return StatusAnalyzer.Analyze(identity.Member, config, views, local, env.Clock());
    }

    /// <summary>
    /// Bounded calls per member, all at once; a dead member costs Timings.Status.MemberTimeout, not LXD's 20-30 s. Liveness: any
    /// answer proves it — its LXD port accepting a connection straight over the mesh (the kernel answers even when LXD
    /// is busy), GET /1.0 through LXD, or /1.0/resources (which also fills the memory column). A loaded member that is
    /// slow on one call is not reported unreachable (seen with nine on 2 vCPU).
    /// </summary>
    private List<Task<(string ServerName, long? Used, bool Answered)>> ProbeMembers(ILxdClient lxd, IEnumerable<Lxd.Wire.ClusterMember> members, CancellationToken ct) =>
        members.Where(m => Cluster.Members.MemberStates.IsSettledUp(m.State())).Select(async m =>
        {
            var connects = Bounded(t => Host.Network.TcpPort.AcceptsUrlAsync(m.Url, t), ct);
            var alive = Bounded(t => lxd.GetMemberServerAsync(m.ServerName, t), ct);
            var used = Bounded(async t => (await lxd.GetMemoryAsync(m.ServerName, t)).Used, ct);
            var (hasMemory, bytes) = await used;
            var answered = hasMemory || (await alive).Ok || (await connects) is (true, true);
            return (m.ServerName, hasMemory ? bytes : (long?)null, answered);
        }).ToList();

    /// <summary>An invite whose LXD token is gone while its server is not a member was spent by a failed join.</summary>
    private List<Task<(string Name, bool Known, bool Waiting)>> ProbeTokens(ILxdClient lxd, SharedConfig config, bool membersListed, CancellationToken ct) =>
        config.Invites.Where(i => membersListed && i.TokenOperation.Length > 0 && config.Member(i.Name) is null).Select(async i =>
        {
            var (answered, waiting) = await Bounded(t => Lifecycle.InviteListing.TokenWaitingAsync(lxd, i, t), ct);
            return (i.Name, answered, waiting);
        }).ToList();

    /// <summary>
    /// The data plane: from this host, each member's own port on terrarium-ovn (through OVN and Geneve in the mesh),
    /// when this host has one itself.
    /// </summary>
    private static List<Task<(string Name, bool Answers)>> ProbeOverlay(SharedConfig config, string self) =>
        config.Member(self)?.OvnHostAddress is null
            ? []
            : config.Members.Where(r => r.Name != self && r.OvnHostAddress is not null)
                .Select(async r => (r.Name, await Host.Network.IcmpProbe.AnswersAsync(r.OvnHostAddress!, Timings.Status.OverlayTimeout))).ToList();

    /// <summary>
    /// Whether the database is worth waiting for, judged as for a dead member: LXD's port of every member this node
    /// recorded, straight over the mesh. One that does not accept may be the leader: its database answers in 10-30 s if
    /// at all, so status shows the records after the probe bound instead of waiting the whole database bound.
    /// </summary>
    private (SharedConfig? Recorded, Task<IReadOnlySet<string>>? Ports, Task<TimeSpan> Judged) StartJudging(NodeIdentity? identity, CancellationToken ct)
    {
        var recorded = identity is null ? null : Recorded(identity);
        var ports = recorded is null ? null : ProbeRecordedPorts(recorded, identity!.Member, ct);
        return (recorded, ports, JudgeDatabaseWaitAsync(ports, ct));
    }

    /// <summary>
    /// The recorded members (not this one) whose LXD port on the mesh does not accept a connection within the probe
    /// bound. Invites are left out: their peers have no endpoint until the joiner speaks, nor an LXD yet.
    /// </summary>
    private async Task<IReadOnlySet<string>> ProbeRecordedPorts(SharedConfig recorded, string self, CancellationToken ct)
    {
        var probes = recorded.Members.Where(m => m.Name != self && m.MeshAddress.Length > 0 && m.Endpoint.Length > 0).Select(async m =>
            (m.Name, Accepts: await Bounded(t => Host.Network.TcpPort.AcceptsAsync(m.MeshAddress, Cluster.Mesh.MeshSettings.LxdPort, t), ct) is (true, true)));
        return (await Task.WhenAll(probes)).Where(p => !p.Accepts).Select(p => p.Name).ToHashSet();
    }

    /// <summary>When to stop waiting for LXD's database (the bound it got): after the probe bound when a recorded member is away, else after the database bound.</summary>
    private async Task<TimeSpan> JudgeDatabaseWaitAsync(Task<IReadOnlySet<string>>? ports, CancellationToken ct)
    {
        var whole = Task.Delay(Timings.Status.DatabaseTimeout, env.Time, ct);
        await Task.Delay(Timings.Status.MemberTimeout, env.Time, ct);
        if (ports is not null && (await ports).Count > 0) return Timings.Status.MemberTimeout;
        await whole;
        return Timings.Status.DatabaseTimeout;
    }

    /// <summary>A database read, or (false, default) once the judged wait is over (the read itself stays bounded and is dropped).</summary>
    private static async Task<(bool Ok, T? Value)> Judged<T>(Task<(bool Ok, T? Value)> read, Task judged)
    {
        await Task.WhenAny(read, judged);
        return read.IsCompleted ? await read : (false, default);
    }

    /// <summary>Volatile keys live in the instance's own config, boot.autostart may come from a profile.</summary>
    private static InstanceView View(Lxd.Wire.Instance i) =>
        new(Cluster.Placement.InstanceRef.Of(i.Project, i.Name), i.Location, i.Power(), i.ExpandedConfig.Count > 0 ? i.ExpandedConfig : i.Config);

    /// <summary>
    /// Terrarium's records as this node last applied them, when the shared configuration did not load in time: its
    /// identity (the mesh settings) and the peers of its WireGuard configuration.
    /// </summary>
    private SharedConfig Recorded(NodeIdentity identity)
    {
        var settings = new ClusterSettingsRecord
        {
            MeshCidr = identity.MeshCidr ?? Cluster.Mesh.MeshSettings.DefaultCidr, Port = identity.Port ?? Cluster.Mesh.MeshSettings.DefaultPort,
            Mtu = identity.Mtu ?? Cluster.Mesh.MeshSettings.DefaultMtu, Interface = identity.Interface ?? Cluster.Mesh.MeshSettings.DefaultInterface,
        };
        var members = new List<MemberRecord> { new() { Name = identity.Member, MeshAddress = identity.MeshAddress } };
        var wg = env.Layout.WireGuardConfig(settings.Interface);
        if (File.Exists(wg)) members.AddRange(RecordedMembers.FromWireGuardConfig(File.ReadAllText(wg)).Where(m => m.Name != identity.Member));
        return new SharedConfig(settings, members.OrderBy(m => m.Name, StringComparer.Ordinal).ToList(), [], []);
    }

    private async Task<(bool Up, IReadOnlyDictionary<string, DateTimeOffset?>? Handshakes, bool? Firewall, List<RaftView> Raft)> ObserveHostAsync(string iface)
    {
        var handshakes = await new WireGuardInterface(env.Tools, iface).HandshakesByKeyAsync();
        var up = handshakes is not null;
        var firewall = await new NftablesFirewall(env.Tools, env.Layout.NftablesFile).TableStateAsync();
        var raft = new List<RaftView>();
        var ovn = new OvnRuntime(env.Tools, env.Layout);
        foreach (var db in OvnDatabase.Both)
            if (await ovn.RaftStatusAsync(db) is { } s)
                raft.Add(new RaftView { Database = db.Name, Role = s.Role, Servers = s.Servers.Select(x => x.Address).Order(StringComparer.Ordinal).ToList() });
        return (up, handshakes, firewall, raft);
    }

    /// <summary>
    /// Runs one call to LXD with the status bound, timed by the environment's clock (a seam for tests); (false, default)
    /// when it failed or took too long.
    /// </summary>
    /// <summary>
    /// LXD asks every member for its instances, a dead one too (Incus 6.0.4 waited ~30 s for a member killed a moment
    /// before, still listed Online): with a member away, the list is taken only if it comes within a member's bound.
    /// </summary>
    private async Task<(bool Ok, T? Value)> InstancesAsync<T>(Task<(bool Ok, T? Value)> read, bool databaseAnswers, bool memberAway, CancellationToken ct)
    {
        if (!memberAway) return await IfDatabaseAnswers(read, databaseAnswers);
        if (!read.IsCompleted && databaseAnswers) await Task.WhenAny(read, Task.Delay(Timings.Status.MemberTimeout, env.Time, ct));
        return read.IsCompleted ? await read : (false, default);
    }

    private async Task<(bool Ok, T? Value)> Bounded<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct, TimeSpan? within = null, bool failures = true)
    {
        using var timer = new CancellationTokenSource(within ?? Timings.Status.MemberTimeout, env.Time);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct, timer.Token);
        try { return (true, await call(bound.Token)); }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested) { return (false, default); }
        catch (LxdException) when (failures) { return (false, default); }
    }

    /// <summary>A read's result: waited for when the database answered, else only what is already there.</summary>
    private static async Task<(bool Ok, T? Value)> IfDatabaseAnswers<T>(Task<(bool Ok, T? Value)> read, bool answers) =>
        answers || read.IsCompleted ? await read : (false, default);

    private static readonly LocalObservations Empty = new(null, null, null, new Dictionary<string, int>(), new Dictionary<string, long>());
}
