using Terrarium.Cluster.Config;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Files;
using Terrarium.Host.Ovn;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Store;

namespace Terrarium.Operations.Ovn;

/// <summary>What the OVN pass did on this node.</summary>
public sealed record OvnResult(string State, bool Central, int Signed, bool Changed)
{
    /// <summary>A raft membership change is under way: look again in a moment.</summary>
    public bool MembershipPending { get; init; }

    /// <summary>This host's address on terrarium-ovn (T-1), once the network exists.</summary>
    public string? HostAddress { get; init; }

    public const string Disabled = "disabled";
    public const string AwaitingCertificate = "awaiting-certificate";
    public const string Ready = "ready";
}

/// <summary>
/// O-1..O-4 on one node: certificate request and installation, the signer's signing duty, the chassis
/// (ovs + ovn-controller, Geneve with the mesh address), the central databases when this member is in the
/// planned set (joining raft, or leaving it explicitly when it no longer is), raft kicks of servers that left
/// the plan (by the leader only), and LXD's northbound connection.
/// </summary>
public sealed class OvnConverger(NodeEnvironment env)
{
    private readonly OvnRuntime _ovn = new(env.Tools, env.Layout);

    public async Task<OvnResult> ConvergeAsync(ILxdClient lxd, SharedConfigStore store, SharedConfig config, NodeIdentity self, CancellationToken ct)
    {
        if (config.Ovn is not { } ovn || config.Member(self.Member) is not { } me) return new OvnResult(OvnResult.Disabled, false, 0, false);
        var changed = false;

        var request = OvnIdentity.EnsureRequest(env.Layout, self.Member);
        if (me.OvnRequest != request)
        {
            me.OvnRequest = request;
            await store.PutMemberAsync(me, ct);
            changed = true;
        }

        // The signer's CA, read once per pass: it signs members' requests and Incus' client identity.
        var ca = ovn.Signer == self.Member && File.Exists(env.Layout.OvnCaPrivateKey)
            ? new PemPair(ovn.CaCertificate, File.ReadAllText(env.Layout.OvnCaPrivateKey)) : null;
        var signed = ca is null ? 0 : await SignPendingAsync(store, config, ca, ct);
        if (signed > 0) config = await store.LoadAsync(ct);

        var mine = config.OvnCertificate(self.Member);
        if (mine is null || !OvnPki.IsValidFor(mine.Certificate, ovn.CaCertificate, self.Member, env.Clock()) || !OvnPki.Answers(mine.Certificate, request))
            return new OvnResult(OvnResult.AwaitingCertificate, false, signed, changed);
        var certificateChanged = OvnIdentity.Install(env.Layout, mine.Certificate, ovn.CaCertificate);

        var central = ovn.Central.Select(n => config.Member(n)?.MeshAddress).OfType<string>().ToList();
        var nb = OvnNetworkSettings.Remotes(central, OvnNetworkSettings.NorthboundPort);
        var sb = OvnNetworkSettings.Remotes(central, OvnNetworkSettings.SouthboundPort);
        // Only northd takes the central set on its command line and restarts when it moved. ovn-controller
        // reads external_ids:ovn-remote at run time and ovsdb-server takes no remotes; restarting them for a new set
        // (as this did) cost the survivors' containers packets during every remove.
        var remotesChanged = AtomicFile.WriteIfChanged(Path.Join(env.Layout.OvnDir, "remotes"), $"{nb}\n{sb}\n");

        changed |= await _ovn.EnsureSwitchAsync(self.Member);
        var userspace = !GeneveOverMesh.KernelDatapathAvailable;
        changed |= await _ovn.EnsureControllerAsync(sb, self.MeshAddress, userspace ? "netdev" : "system", certificateChanged);
        if (userspace)
        {
            changed |= await _ovn.AdoptBridgesAsync("netdev");
            var settings = config.Settings!;
            var peers = config.Members.Where(m => m.Name != self.Member).Select(m => System.Net.IPAddress.Parse(m.MeshAddress)).ToList();
            await new GeneveOverMesh(env.Tools, _ovn).EnsureAsync(System.Net.IPAddress.Parse(self.MeshAddress),
                Cluster.Mesh.MeshSettings.ParseCidr(settings.MeshCidr).Prefix, peers, settings.Interface, settings.Mtu);
        }
        var isCentral = ovn.Central.Contains(self.Member);
        var pending = false;
        if (isCentral)
        {
            foreach (var db in OvnDatabase.Both)
            {
                if (!_ovn.DatabaseExists(db))
                {
                    var others = central.Where(a => a != self.MeshAddress).ToList();
                    if (others.Count == 0)
                        throw new InvalidOperationException($"{db.Name} has no local database and no other central member to join; run `terrariumctl cluster ovn configure`.");
                    await _ovn.JoinClusterAsync(db, self.MeshAddress, others);
                    env.Log($"joining the {db.Name} raft cluster through {string.Join(", ", others)}");
                }
                changed |= await _ovn.EnsureDatabaseServerAsync(db, self.MeshAddress, certificateChanged);
                var (acted, more) = await ReconcileMembershipAsync(db, central, config, planned: true);
                changed |= acted;
                pending |= more;
            }
            changed |= await _ovn.EnsureNorthdAsync(nb, sb, certificateChanged || remotesChanged);
        }
        else
        {
            foreach (var db in OvnDatabase.Both.Where(_ovn.DatabaseExists))
            {
                var (acted, more) = await ReconcileMembershipAsync(db, central, config, planned: false);
                changed |= acted;
                pending |= more;
            }
            if (!OvnDatabase.Both.Any(_ovn.DatabaseExists)) await _ovn.StopNorthdAsync();
        }

        // LXD is pointed only at servers that are in the raft cluster. A server that is still catching up
        // is not (OVSDB adds it once it has the log), and LXD sent there got "database connection failed" for launches
        // during a join. One member decides, so that members with different local views do not flip the key.
        if (ovn.Signer == self.Member || config.Member(ovn.Signer) is null)
        {
            var server = await lxd.GetServerAsync(ct);
            if (ca is not null) changed |= await DaemonOvnClient.EnsureAsync(lxd, server.Config, ca, env.Clock(), env.Log, ct);
            var raft = isCentral ? await _ovn.RaftStatusAsync(OvnDatabase.Northbound) : null;
            var configured = server.Config.GetValueOrDefault("network.ovn.northbound_connection");
            var forLxd = OvnNetworkSettings.Remotes(OvnCentralPlanner.NorthboundForLxd(central, raft?.Servers.Select(x => x.Address),
                OvnNetworkSettings.Addresses(configured)), OvnNetworkSettings.NorthboundPort);
            pending |= forLxd != nb;
            if (configured != forLxd)
            {
                await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["network.ovn.northbound_connection"] = forLxd }, ct);
                changed = true;
            }
        }
        // The CA holder creates the workload network once, when the databases answer (O-1).
        if (ovn.Signer == self.Member && !pending)
            changed |= await WorkloadNetwork.EnsureAsync(lxd, ovn, config.Settings!.Mtu,
                async () => (await _ovn.ChassisAsync(sb)).ToHashSet().IsSupersetOf(config.Members.Select(m => m.Name)), env.Log, ct);
        // A removed member's chassis would stay in the southbound database (its Geneve endpoint with it).
        if (ovn.Signer == self.Member && !pending)
            changed |= await RemoveStaleChassisAsync(sb, config);
        if (_ovn.ControllerRunning) changed |= await UnavailableNetworkRepair.RepairAsync(env, lxd, self.Member, ct);
        var hostAddress = await new HostPort(env, _ovn).EnsureAsync(lxd, nb, self.Member, OvnNetworkSettings.WorkloadMtu(config.Settings!.Mtu), userspace, ct);
        if (hostAddress is not null && me.OvnHostAddress != hostAddress)
        {
            // `cluster status` on any member probes this address to see the workload network reach this host.
            me.OvnHostAddress = hostAddress;
            me.OvnHostSince = env.Clock();
            await store.PutMemberAsync(me, ct);
            changed = true;
        }
        changed |= await TuneLocalInstancesAsync(lxd, self.Member, ct) > 0;
        return new OvnResult(OvnResult.Ready, isCentral, signed, changed || certificateChanged || remotesChanged) { MembershipPending = pending, HostAddress = hostAddress };
    }

    /// <summary>The CA holder deletes each chassis whose member is gone (a member's chassis only exists once it has a record).</summary>
    private async Task<bool> RemoveStaleChassisAsync(string southbound, SharedConfig config)
    {
        var stale = OvnChassis.Stale(await _ovn.ChassisAsync(southbound), config.Members.Select(m => m.Name));
        var removed = false;
        foreach (var chassis in stale)
        {
            var ok = await _ovn.DeleteChassisAsync(southbound, chassis);
            env.Log(ok ? $"deleted the chassis of {chassis} (no longer a member) from the southbound database"
                       : $"could not delete the chassis of {chassis} from the southbound database yet");
            removed |= ok;
        }
        return removed;
    }

    /// <summary>The signer answers every member whose certificate is missing, foreign, stale or for another key.</summary>
    private async Task<int> SignPendingAsync(SharedConfigStore store, SharedConfig config, PemPair ca, CancellationToken ct)
    {
        var signed = 0;
        foreach (var m in config.Members.Where(m => OvnPki.NeedsSigning(config.OvnCertificate(m.Name)?.Certificate, ca.CertificatePem, m.Name, m.OvnRequest, env.Clock())))
        {
            var certificate = OvnPki.Sign(ca, m.OvnRequest!, m.Name, env.Clock());
            await store.PutOvnCertificateAsync(new OvnCertificateRecord { Member = m.Name, Certificate = certificate, IssuedAt = env.Clock() }, ct);
            env.Log($"issued the OVN certificate of {m.Name}");
            signed++;
        }
        return signed;
    }

    /// <summary>Makes the one raft membership change <see cref="RaftMembership"/> decides for this pass.</summary>
    private async Task<(bool Acted, bool More)> ReconcileMembershipAsync(OvnDatabase db, IReadOnlyList<string> central, SharedConfig config, bool planned)
    {
        var status = await _ovn.RaftStatusAsync(db);
        var observed = status is null ? null : new RaftObservation(status.Role, status.HasLeft,
            status.Servers.Select(s => new RaftPeer(s.Id, s.Address, s.Self, s.Reachable)).ToList(), status.ElectionTimerMs);
        var action = RaftMembership.Decide(observed, planned, central.Select(a => $"ssl:{a}:{db.RaftPort}").ToHashSet(),
            config.Members.Select(m => $"ssl:{m.MeshAddress}:{db.RaftPort}").ToHashSet());
        switch (action.Kind)
        {
            case RaftActionKind.Discard:
                env.Log($"{db.Name}: {action.Reason}; discarding its copy of the database");
                await _ovn.DiscardDatabaseAsync(db);
                return (true, false);
            case RaftActionKind.Kick:
                env.Log($"removing {action.Target!.Address} from the {db.Name} raft cluster ({action.Reason})");
                await _ovn.KickAsync(db, action.Target.Id);
                return (true, true);
            case RaftActionKind.Leave:
                env.Log($"{db.Name}: handing over leadership and leaving the raft cluster ({action.Reason})");
                await _ovn.LeaveAsync(db);
                return (true, true);
            case RaftActionKind.RaiseElectionTimer:
                // Clusters created before the longer timer reach it in doublings, one per pass.
                var raised = await _ovn.ChangeElectionTimerAsync(db, action.ElectionTimerMs!.Value);
                env.Log($"{db.Name}: raft election timer {status!.ElectionTimerMs} -> {action.ElectionTimerMs} ms{(raised ? "" : " refused for now (an earlier change is still committing)")}");
                return (raised, true);
            default:
                return (false, action.More);
        }
    }

    /// <summary>
    /// Userspace datapath only: transmit checksum offload off inside each local running instance that has a NIC
    /// on terrarium-ovn (see <see cref="UserspaceNics"/>); a no-op with a kernel datapath.
    /// </summary>
    public async Task<int> TuneLocalInstancesAsync(ILxdClient lxd, string self, CancellationToken ct) =>
        GeneveOverMesh.KernelDatapathAvailable ? 0 : await TuneLocalInstancesAsync(lxd, self, await lxd.GetAllInstancesAsync(ct), ct);

    /// <summary>
    /// The same for <paramref name="instances"/> only (those an instance event named): the route worker runs on every
    /// instance event of the cluster, and listing every instance there made each route change cost every agent a
    /// request to every member (LXD gathers a recursive listing from each member).
    /// </summary>
    public async Task<int> TuneLocalInstancesAsync(ILxdClient lxd, string self, IEnumerable<Instance> instances, CancellationToken ct)
    {
        if (GeneveOverMesh.KernelDatapathAvailable) return 0;
        var nics = new UserspaceNics(env.Tools);
        var tuned = 0;
        foreach (var instance in instances.Where(i => i.Location == self && i.Status == "Running"))
        {
            var ovnNics = instance.ExpandedDevices.Where(d => d.Value.GetValueOrDefault("type") == "nic" &&
                                                             d.Value.GetValueOrDefault("network") == OvnNetworkSettings.NetworkName)
                .Select(d => d.Value.GetValueOrDefault("name", d.Key)).ToList();
            if (ovnNics.Count == 0) continue;
            int pid;
            try { pid = (await lxd.GetInstanceStateAsync(instance.Name, ct, instance.Project)).Pid; }
            catch (LxdException) { continue; }
            foreach (var nic in ovnNics)
                if (await nics.TuneInstanceAsync(pid, nic)) tuned++;
        }
        return tuned;
    }

    /// <summary>Stops this node's OVS/OVN daemons and forgets its OVN identity (the member left the cluster).</summary>
    /// <remarks>It does not leave raft itself: the leader removes its server (it is no longer an LXD member),
    /// which keeps raft changes one at a time.</remarks>
    public async Task LeaveAsync()
    {
        if (!GeneveOverMesh.KernelDatapathAvailable) await new GeneveOverMesh(env.Tools, _ovn).RemoveAsync();
        await _ovn.ForgetChassisAsync();
        await _ovn.StopAllAsync();
        foreach (var db in OvnDatabase.Both) await _ovn.DiscardDatabaseAsync(db);
        OvnIdentity.DeleteAll(env.Layout);
    }
}
