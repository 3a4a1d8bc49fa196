using Terrarium.Cluster.Placement;
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
/// O-1..O-4 on one node, one step per concern, each run by its own reconciler in this order (Convergence/Ovn):
/// certificate request, signing and installation; the chassis (ovs + ovn-controller, Geneve with the mesh address); the
/// central databases when this member is in the planned set (joining raft, or leaving it explicitly when it no longer is,
/// raft kicks of servers that left the plan by the leader only); LXD's northbound connection; the signer's duties (the
/// workload network, stale chassis); the unavailable-network repair; the host's port; NIC tuning.
/// </summary>
public sealed class OvnConverger(NodeEnvironment env)
{
    private readonly OvnRuntime _ovn = new(env.Tools, env.Layout);

    /// <summary>
    /// The first step: OVN planned for this member (else <see cref="OvnResult.Disabled"/>) and a certificate the CA signed
    /// for its current key (else <see cref="OvnResult.AwaitingCertificate"/>); the pass goes on only with a pass.
    /// </summary>
    public async Task<(string State, OvnPass? Pass, int Signed, bool Changed)> CertifyAsync(SharedConfigStore store, SharedConfig config, NodeIdentity self, CancellationToken ct)
    {
        if (config.Ovn is not { } ovn || config.Member(self.Member) is not { } me) return (OvnResult.Disabled, null, 0, false);
        var (pass, signed, changed) = await CertifyAsync(store, config, ovn, self, me, ct);
        return (pass is null ? OvnResult.AwaitingCertificate : OvnResult.Ready, pass, signed, changed || pass?.CertificateChanged == true);
    }

    /// <summary>The remotes file for boot, then Open vSwitch and ovn-controller.</summary>
    public async Task<bool> EnsureChassisAsync(OvnPass pass)
    {
        // Only northd takes the central set on its command line and restarts when it moved. ovn-controller
        // reads external_ids:ovn-remote at run time and ovsdb-server takes no remotes; restarting them for a new set
        // (as this did) cost the survivors' containers packets during every remove.
        pass.RemotesChanged = OvnRemotesFile.Write(env.Layout, pass.Remotes);
        return await EnsureSwitchAndControllerAsync(pass) || pass.RemotesChanged;
    }

    public async Task<bool> ConvergeCentralAsync(OvnPass pass)
    {
        var (changed, pending) = await ConvergeCentralAsync(pass, pass.RemotesChanged);
        pass.Pending |= pending;
        return changed;
    }

    public async Task<bool> PointLxdAsync(ILxdClient lxd, OvnPass pass, CancellationToken ct)
    {
        var (changed, pending) = await PointLxdAtRaftAsync(lxd, pass, ct);
        pass.Pending |= pending;
        return changed;
    }

    /// <summary>The signer's duties, once no membership change is pending.</summary>
    public async Task<bool> SignerStepAsync(ILxdClient lxd, OvnPass pass, CancellationToken ct) =>
        pass.IsSigner && !pass.Pending && await SignerDutiesAsync(lxd, pass, ct);

    /// <summary>LXD's "network unavailable" repair, only while this chassis runs.</summary>
    public async Task<bool> RepairNetworkAsync(ILxdClient lxd, OvnPass pass, CancellationToken ct) =>
        _ovn.ControllerRunning && await UnavailableNetworkRepair.RepairAsync(env, lxd, pass.Self.Member, ct);

    public async Task<bool> HostPortAsync(ILxdClient lxd, SharedConfigStore store, OvnPass pass, CancellationToken ct)
    {
        var (address, changed) = await EnsureHostPortAsync(lxd, store, pass, ct);
        pass.HostAddress = address;
        return changed;
    }

    /// <summary>
    /// This member's certificate request, the signer's signing duty, and this member's certificate installed: the pass
    /// goes on only with a certificate the CA signed for this member's current key (null pass otherwise).
    /// </summary>
    private async Task<(OvnPass? Pass, int Signed, bool Changed)> CertifyAsync(SharedConfigStore store, SharedConfig config, OvnRecord ovn,
        NodeIdentity self, MemberRecord me, CancellationToken ct)
    {
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
            return (null, signed, changed);
        var certificateChanged = OvnIdentity.Install(env.Layout, mine.Certificate, ovn.CaCertificate);
        var central = ovn.Central.Select(n => config.Member(n)?.MeshAddress).OfType<string>().ToList();
        var remotes = new OvnRemotes(OvnNetworkSettings.Remotes(central, OvnNetworkSettings.NorthboundPort),
            OvnNetworkSettings.Remotes(central, OvnNetworkSettings.SouthboundPort));
        return (new OvnPass(config, ovn, self, config.Member(self.Member) ?? me, ca, central, remotes, certificateChanged), signed, changed);
    }

    /// <summary>Open vSwitch, ovn-controller with Geneve on the mesh address, and on a userspace datapath Geneve routed into the mesh.</summary>
    private async Task<bool> EnsureSwitchAndControllerAsync(OvnPass pass)
    {
        var changed = await _ovn.EnsureSwitchAsync(pass.Self.Member);
        changed |= await _ovn.EnsureControllerAsync(pass.Remotes.Southbound, pass.Self.MeshAddress, OvsDatapath.Type, pass.CertificateChanged);
        if (!OvsDatapath.Userspace) return changed;
        changed |= await _ovn.AdoptBridgesAsync(OvsDatapath.Type);
        var settings = pass.Config.Settings!;
        var peers = pass.Config.Members.Where(m => m.Name != pass.Self.Member).Select(m => System.Net.IPAddress.Parse(m.MeshAddress)).ToList();
        await new GeneveOverMesh(env.Tools, _ovn).EnsureAsync(System.Net.IPAddress.Parse(pass.Self.MeshAddress),
            Cluster.Mesh.MeshSettings.ParseCidr(settings.MeshCidr).Prefix, peers, settings.Interface, settings.Mtu);
        return changed;
    }

    /// <summary>
    /// In the planned central set: the database servers (joining raft when there is no local copy yet) and northd; out
    /// of it: leaving raft explicitly. Either way one raft membership change per database per pass.
    /// </summary>
    private async Task<(bool Changed, bool Pending)> ConvergeCentralAsync(OvnPass pass, bool remotesChanged)
    {
        var (changed, pending) = (false, false);
        if (!pass.IsCentral)
        {
            foreach (var db in OvnDatabase.Both.Where(_ovn.DatabaseExists))
            {
                var (acted, more) = await ReconcileMembershipAsync(db, pass.Central, pass.Config, planned: false);
                (changed, pending) = (changed | acted, pending | more);
            }
            if (!OvnDatabase.Both.Any(_ovn.DatabaseExists)) await _ovn.StopNorthdAsync();
            return (changed, pending);
        }
        foreach (var db in OvnDatabase.Both)
        {
            if (!_ovn.DatabaseExists(db))
            {
                var others = pass.Central.Where(a => a != pass.Self.MeshAddress).ToList();
                if (others.Count == 0)
                    throw new InvalidOperationException($"{db.Name} has no local database and no other central member to join; run `terrariumctl cluster ovn configure`.");
                await _ovn.JoinClusterAsync(db, pass.Self.MeshAddress, others);
                env.Log($"joining the {db.Name} raft cluster through {string.Join(", ", others)}");
            }
            changed |= await _ovn.EnsureDatabaseServerAsync(db, pass.Self.MeshAddress, pass.CertificateChanged);
            var (acted, more) = await ReconcileMembershipAsync(db, pass.Central, pass.Config, planned: true);
            (changed, pending) = (changed | acted, pending | more);
        }
        changed |= await _ovn.EnsureNorthdAsync(pass.Remotes.Northbound, pass.Remotes.Southbound, pass.CertificateChanged || remotesChanged);
        return (changed, pending);
    }

    /// <summary>
    /// LXD is pointed only at servers that are in the raft cluster. A server that is still catching up
    /// is not (OVSDB adds it once it has the log), and LXD sent there got "database connection failed" for launches
    /// during a join. One member decides (the signer, or anyone when it is gone), so that members with different local
    /// views do not flip the key; the signer also keeps Incus' client identity.
    /// </summary>
    private async Task<(bool Changed, bool Pending)> PointLxdAtRaftAsync(ILxdClient lxd, OvnPass pass, CancellationToken ct)
    {
        if (!pass.IsSigner && pass.Config.Member(pass.Ovn.Signer) is not null) return (false, false);
        var changed = false;
        var server = await lxd.GetServerAsync(ct);
        if (pass.Ca is not null) changed |= await DaemonOvnClient.EnsureAsync(lxd, server.Config, pass.Ca, env.Clock(), env.Log, ct);
        var raft = pass.IsCentral ? await _ovn.RaftStatusAsync(OvnDatabase.Northbound) : null;
        var configured = server.Config.GetValueOrDefault("network.ovn.northbound_connection");
        var forLxd = OvnNetworkSettings.Remotes(OvnCentralPlanner.NorthboundForLxd(pass.Central, raft?.Servers.Select(x => x.Address),
            OvnNetworkSettings.Addresses(configured)), OvnNetworkSettings.NorthboundPort);
        if (configured != forLxd)
        {
            await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["network.ovn.northbound_connection"] = forLxd }, ct);
            changed = true;
        }
        return (changed, forLxd != pass.Remotes.Northbound);
    }

    /// <summary>
    /// The CA holder, once the databases answer: creates the workload network (O-1) and deletes the chassis of removed
    /// members (their Geneve endpoints would stay in the southbound database).
    /// </summary>
    private async Task<bool> SignerDutiesAsync(ILxdClient lxd, OvnPass pass, CancellationToken ct)
    {
        var changed = await WorkloadNetwork.EnsureAsync(lxd, pass.Ovn, pass.Config.Settings!.Mtu,
            async () => (await _ovn.ChassisAsync(pass.Remotes.Southbound)).ToHashSet().IsSupersetOf(pass.Config.Members.Select(m => m.Name)), env.Log, ct);
        return changed | await RemoveStaleChassisAsync(pass.Remotes.Southbound, pass.Config);
    }

    /// <summary>This host's port on terrarium-ovn, its address recorded so that `cluster status` on any member can probe it.</summary>
    private async Task<(string? Address, bool Changed)> EnsureHostPortAsync(ILxdClient lxd, SharedConfigStore store, OvnPass pass, CancellationToken ct)
    {
        var hostAddress = await new HostPort(env, _ovn).EnsureAsync(lxd, pass.Remotes.Northbound, pass.Self.Member,
            OvnNetworkSettings.WorkloadMtu(pass.Config.Settings!.Mtu), OvsDatapath.Userspace, ct);
        if (hostAddress is null || pass.Me.OvnHostAddress == hostAddress) return (hostAddress, false);
        pass.Me.OvnHostAddress = hostAddress;
        pass.Me.OvnHostSince = env.Clock();
        await store.PutMemberAsync(pass.Me, ct);
        return (hostAddress, true);
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
        foreach (var instance in instances.Where(i => i.Location == self && i.Power() == PowerState.Running))
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
