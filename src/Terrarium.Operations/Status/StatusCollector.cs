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
        var server = await lxd.GetServerAsync(ct);
        var identity = NodeIdentity.Load(env.Layout);
        if (!server.Environment.ServerClustered)
            return StatusAnalyzer.Analyze(identity?.Member, SharedConfig.Empty, [], Empty, env.Clock());

        var config = await new SharedConfigStore(lxd).LoadAsync(ct);
        var members = await lxd.GetClusterMembersAsync(ct);
        var instances = await lxd.GetInstancesAsync(ct: ct);
        var memory = new Dictionary<string, long>();
        foreach (var m in members.Where(m => m.Status == "Online"))
        {
            try { memory[m.ServerName] = (await lxd.GetMemoryAsync(m.ServerName, ct)).Used; }
            catch (LxdException) { /* left empty */ }
        }

        var iface = config.Settings?.Interface ?? Cluster.Mesh.MeshSettings.DefaultInterface;
        var wg = new WireGuardInterface(env.Tools, iface);
        var up = await wg.ExistsAsync();
        IReadOnlyDictionary<string, DateTimeOffset?>? handshakes = null;
        if (up) handshakes = (await wg.HandshakesAsync()).ToDictionary(h => h.PublicKey, h => h.LatestHandshake);
        var firewall = await new NftablesFirewall(env.Tools, env.Layout.NftablesFile).TableStateAsync();

        var raft = new List<RaftView>();
        var ovn = new OvnRuntime(env.Tools, env.Layout);
        foreach (var db in OvnDatabase.Both)
            if (await ovn.RaftStatusAsync(db) is { } s)
                raft.Add(new RaftView { Database = db.Name, Role = s.Role, Servers = s.Servers.Select(x => x.Address).Order(StringComparer.Ordinal).ToList() });
        var local = new LocalObservations(handshakes, up, firewall,
            instances.GroupBy(i => i.Location).ToDictionary(g => g.Key, g => g.Count()), memory) { Raft = raft };
        var views = members.Select(m => new LxdMemberView(m.ServerName, m.Status, m.Message, m.Roles)).ToList();
        return StatusAnalyzer.Analyze(identity?.Member, config, views, local, env.Clock());
    }

    private static readonly LocalObservations Empty = new(null, null, null, new Dictionary<string, int>(), new Dictionary<string, long>());
}
