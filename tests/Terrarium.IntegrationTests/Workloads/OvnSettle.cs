using Terrarium.Cluster.Layout;
using Terrarium.IntegrationTests.Support;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// Waits until the cluster's OVN is in a state where LXD/Incus can attach a new instance port: right after a join or a
/// removal the central set's raft clusters grow or shrink (servers restart into the cluster, leadership and northd's lock
/// move), LXD restarts its OVN clients when its northbound key changes, and a launch in that window is refused — LXD with
/// "Network unavailable" or a `--wait=sb` timeout, Incus with "Insufficient dynamic addresses allocated" (it gives northd
/// 2.5 s, internal/server/network/driver_ovn.go, v6.0.4). All seen in CI. `cluster status` reports each of these states.
/// </summary>
public static class OvnSettle
{
    public static async Task WaitAsync(LabFixture lab, int via = 1)
    {
        // Every central member sees both raft clusters at the central set's size with one leader each, for 5 s.
        var stableSince = (DateTime?)null;
        await MeshLab.EventuallyAsync(async () =>
        {
            if (!await RaftSettledEverywhereAsync(lab, via)) stableSince = null;
            else stableSince ??= DateTime.UtcNow;
            return stableSince is { } since && DateTime.UtcNow - since >= TimeSpan.FromSeconds(5);
        }, TimeSpan.FromSeconds(120), "both OVN raft clusters hold the central set, with one leader each, on every central member for 5 s");

        string? northbound = null;
        await MeshLab.EventuallyAsync(async () =>
        {
            using var status = await lab.StatusAsync(via);
            var ovn = status.RootElement.GetProperty("ovn");
            northbound = ovn.ValueKind == System.Text.Json.JsonValueKind.Object ? ovn.GetProperty("northbound").GetString() : null;
            return northbound is not null;
        }, TimeSpan.FromSeconds(60), "status shows the OVN northbound remotes");
        var remotes = northbound!;
        using var lxd = lab.Client(via);
        await MeshLab.EventuallyAsync(async () => (await lxd.GetServerAsync()).Config.GetValueOrDefault("network.ovn.northbound_connection") == remotes,
            TimeSpan.FromSeconds(60), $"LXD's northbound key lists the whole central set ({remotes})");

        // The files LXD reads as /etc/ovn (the lab binds them there for LXD only).
        var certificates = new NodeLayout(lab.Node(via).TerrariumRoot).LxdOvnDir;
        await MeshLab.EventuallyAsync(async () => (await lab.Exec(via, "ovn-nbctl", "--timeout=5", "--db", remotes,
            "-c", Path.Join(certificates, "cert_host"), "-p", Path.Join(certificates, "key_host"),
            "-C", Path.Join(certificates, "ovn-central.crt"), "--wait=sb", "sync")).Ok, TimeSpan.FromSeconds(60),
            "northd carries the northbound database into the southbound one");

        // LXD 5.0 retries a failed network start once a minute; until then the member says "Network unavailable".
        await MeshLab.EventuallyAsync(async () => !(await lxd.GetWarningsAsync()).Any(w => w.Type == "Network unavailable" && w.Status != "resolved"),
            TimeSpan.FromSeconds(90), "no member reports terrarium-ovn unavailable");
    }

    private static async Task<bool> RaftSettledEverywhereAsync(LabFixture lab, int via)
    {
        List<string> central;
        using (var status = await lab.StatusAsync(via))
        {
            // No OVN section: status could not read LXD's member list in its bound (a loaded member); not settled yet.
            if (status.RootElement.GetProperty("ovn").ValueKind != System.Text.Json.JsonValueKind.Object) return false;
            central = status.RootElement.GetProperty("ovn").GetProperty("central").EnumerateArray().Select(c => c.GetString()!).ToList();
        }
        var leaders = new Dictionary<string, int>();
        foreach (var name in central)
        {
            var node = lab.Lab.Spec.NodeSpecs.Single(n => n.Name == name).Index;
            using var status = await lab.StatusAsync(node);
            if (status.RootElement.GetProperty("ovn").ValueKind != System.Text.Json.JsonValueKind.Object) return false;
            var raft = status.RootElement.GetProperty("ovn").GetProperty("local_raft").EnumerateArray().ToList();
            if (raft.Count != 2 || raft.Any(r => r.GetProperty("servers").GetArrayLength() != central.Count)) return false;
            foreach (var database in raft.Where(r => r.GetProperty("role").GetString() == "leader").Select(r => r.GetProperty("database").GetString()!))
                leaders[database] = leaders.GetValueOrDefault(database) + 1;
        }
        return leaders.Count == 2 && leaders.Values.All(n => n == 1);
    }
}
