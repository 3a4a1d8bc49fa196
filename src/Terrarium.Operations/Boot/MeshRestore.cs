using System.Net;
using Terrarium.Cluster.Mesh;
using Terrarium.Host.Firewall;
using Terrarium.Host.WireGuard;
using Terrarium.Operations.Identity;

namespace Terrarium.Operations.Boot;

/// <summary>
/// What terrarium-mesh.service runs at boot, before LXD or Incus (which listen on the mesh address):
/// the WireGuard interface and the firewall table from this node's own files, without asking LXD anything.
/// The agent runs it too whenever LXD cannot be reached and the interface is gone.
/// </summary>
public sealed class MeshRestore(NodeEnvironment env)
{
    /// <summary>
    /// <see cref="RunAsync"/> under the mesh lock (`mesh restore` by hand while the agent heals the same interface:
    /// `ip link add` twice fails the second). A server that is no member gets no lock file either.
    /// </summary>
    public async Task<string?> RunLockedAsync()
    {
        if (NodeIdentity.Load(env.Layout) is null) return null;
        using var meshLock = await AcquireMeshLockAsync(env);
        return await RunAsync();
    }

    /// <summary>
    /// The lock around every change of the mesh interface (restore, a pass's apply, a leave's teardown together with
    /// the identity's deletion): a restore never undoes a leave, and never waits for a pass that waits on LXD.
    /// </summary>
    public static Task<Host.Files.HostLock> AcquireMeshLockAsync(NodeEnvironment env) =>
        Host.Files.HostLock.AcquireAsync(env.Layout.MeshLockFile, Timings.Boot.MeshLockWait);

    /// <returns>What was restored, for the log; null when this node is not a member (nothing to restore).</returns>
    public async Task<string?> RunAsync()
    {
        if (NodeIdentity.Load(env.Layout) is not { MeshCidr: { } cidr, Port: { } port, Mtu: { } mtu, Interface: { } iface } identity) return null;
        var mesh = MeshSettings.Create(cidr, port, mtu, iface);
        var wg = new WireGuardInterface(env.Tools, mesh.Interface);
        await wg.EnsureUpAsync(IPAddress.Parse(identity.MeshAddress), mesh.PrefixLength, mesh.Mtu);
        var config = env.Layout.WireGuardConfig(mesh.Interface);
        if (File.Exists(config)) await wg.SyncConfAsync(config);
        var firewall = new NftablesFirewall(env.Tools, env.Layout.NftablesFile);
        if (File.Exists(env.Layout.NftablesFile)) await firewall.LoadFileAsync();
        var what = $"{mesh.Interface} up as {identity.MeshAddress}/{mesh.PrefixLength}{(File.Exists(env.Layout.NftablesFile) ? ", table inet terrarium loaded" : "")}";
        return what + await StartChassisAsync(identity);
    }

    /// <summary>
    /// LXD/Incus start the OVN network at their own start and need Open vSwitch and this member's chassis then
    /// (LXD 5.0 otherwise keeps the network unavailable): start them from local state too, before the daemon.
    /// </summary>
    private async Task<string> StartChassisAsync(NodeIdentity identity)
    {
        if (!File.Exists(Path.Join(env.Layout.OvsDbDir, "conf.db"))) return "";
        var ovn = new Host.Ovn.OvnRuntime(env.Tools, env.Layout);
        await ovn.EnsureSwitchAsync(identity.Member);
        if (Host.Ovn.OvnRemotesFile.Read(env.Layout) is not { } remotes || !File.Exists(env.Layout.OvnCertificate)) return ", Open vSwitch started";
        await ovn.EnsureControllerAsync(remotes.Southbound, identity.MeshAddress, Host.Ovn.OvsDatapath.Type, false);
        return ", Open vSwitch and ovn-controller started" + await StartCentralAsync(ovn, identity, remotes.Northbound, remotes.Southbound);
    }

    /// <summary>
    /// A central member also starts its OVN database servers and northd from its own raft files: when two members of
    /// three reboot at once, the northbound database has no majority until both are back, and LXD, which starts the OVN
    /// network once at its own start and then only once a minute (lxd/networks.go networkStartup, lxd-5.0.2), would
    /// keep the network and the instances on it down meanwhile. Boot then waits (bounded) for raft to elect a leader.
    /// </summary>
    private async Task<string> StartCentralAsync(Host.Ovn.OvnRuntime ovn, NodeIdentity identity, string northbound, string southbound)
    {
        var databases = Host.Ovn.OvnDatabase.Both.Where(ovn.DatabaseExists).ToList();
        if (databases.Count == 0) return "";
        foreach (var db in databases) await ovn.EnsureDatabaseServerAsync(db, identity.MeshAddress, restart: false);
        if (databases.Count == Host.Ovn.OvnDatabase.Both.Count) await ovn.EnsureNorthdAsync(northbound, southbound, restart: false);
        var started = env.Time.GetTimestamp();
        while (true)
        {
            var statuses = await Task.WhenAll(databases.Select(ovn.RaftStatusAsync));
            if (statuses.All(s => s is { HasLeader: true }))
                return $", OVN databases started (leader elected after {env.Time.GetElapsedTime(started).TotalSeconds:0.#} s)";
            if (env.Time.GetElapsedTime(started) >= Timings.Boot.OvnLeaderWait)
                return $", OVN databases started (no raft leader within {Timings.Boot.OvnLeaderWait.TotalSeconds:0} s: the other central members are not up yet)";
            // No peer has answered over the mesh at all: a leader cannot be elected here (a member the others removed
            // while it was down never gets one), so boot goes on instead of waiting the whole bound.
            if (env.Time.GetElapsedTime(started) >= Timings.Boot.NoPeerWait && identity.Interface is { } iface &&
                (await new WireGuardInterface(env.Tools, iface).HandshakesAsync()).All(h => h.LatestHandshake is null))
                return $", OVN databases started (no raft leader: no peer answered over the mesh within {Timings.Boot.NoPeerWait.TotalSeconds:0} s)";
            await Task.Delay(TimeSpan.FromMilliseconds(500), env.Time);
        }
    }

    /// <summary>True when the mesh interface this node should have is missing (e.g. after a reboot).</summary>
    public async Task<bool> MeshDownAsync() =>
        NodeIdentity.Load(env.Layout) is { Interface: { } iface } && !await new WireGuardInterface(env.Tools, iface).ExistsAsync();
}
