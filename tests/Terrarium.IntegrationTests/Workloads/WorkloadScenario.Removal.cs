using System.Text.Json;
using Terrarium.IntegrationTests.Support;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// The projects' last step, on LXD only: which member takes each instance is Terrarium's placement within each
/// project's cluster groups (unit-tested), and removing a member with --move is proven on Incus by its lifecycle
/// scenario (LifecycleOnIncus S09, S09b); run on both daemons it cost a minute of the Incus workload class.
/// </summary>
public partial class WorkloadScenario
{
    [Fact]
    [Needs]
    public Task S09_I15_remove_move_balances_every_project_within_its_groups() => Lab.Steps.RunAsync(async () =>
    {
        MeshLab.AssertOk(await Lab.Ctl(1, "cluster", "move", "t1", "node3"));
        MeshLab.AssertOk(await Lab.Ctl(1, "cluster", "move", "d1", "node3"));
        // Two survivors' containers ping each other over terrarium-ovn while node3 leaves.
        await using var ping = await OverlayPing.StartAsync(Lab, "keep1", "node1", "keep2", "node2");
        var r = await Lab.Ctl(1, "--output", "json", "cluster", "remove", "node3", "--move", "--yes");
        ping.FaultOver();
        MeshLab.AssertOk(r);
        var loss = await ping.StopAsync(); // it goes on while the survivors' agents drop node3's peer and its route
        Assert.True(loss.LostFraction < 0.01, $"overlay ping across the remove lost {loss}");
        Assert.True(loss.LostLate == 0, $"overlay ping lost replies more than 5 s after the remove: {loss}");
        Assert.True(loss.LongestGap <= TimeSpan.FromSeconds(5), $"overlay ping across the remove was cut for more than 5 s: {loss}");
        using (var json = JsonDocument.Parse(r.StdOut))
        {
            var plan = json.RootElement.GetProperty("plan").EnumerateArray()
                .ToDictionary(p => $"{p.GetProperty("project").GetString()}/{p.GetProperty("instance").GetString()}", p => p.GetProperty("target").GetString());
            Assert.Equal(["customer/dup", "default/d1", "tenant/t1"], plan.Keys.Order());
            Assert.Equal("node2", plan["tenant/t1"]); // tenant-hw has only node2 left
        }
        Assert.Equal("node2", await LocationAsync(Tenant, "t1"));
        using var lxd = Lab.Client(1);
        Assert.DoesNotContain(await lxd.GetAllInstancesAsync(), i => i.Location == "node3");

        // The removed member's chassis leaves the southbound database (the CA holder deletes it).
        string southbound;
        using (var status = await Lab.StatusAsync(1))
            southbound = status.RootElement.GetProperty("ovn").GetProperty("northbound").GetString()!.Replace(":6641", ":6642");
        var layout = new Terrarium.Cluster.Layout.NodeLayout(Lab.Node(1).TerrariumRoot);
        await MeshLab.EventuallyAsync(async () =>
        {
            var chassis = await Lab.Exec(1, OvnProbe.SbctlArgs(layout, southbound, "--bare", "--columns=name", "list", "Chassis"));
            return chassis.Ok && chassis.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order().SequenceEqual(["node1", "node2"]);
        }, TimeSpan.FromSeconds(60), "node3's chassis is deleted from the southbound database");

        // Node3 itself forgets the cluster — LXD no longer listens on the gone mesh address (it would fail to
        // start there), and the Geneve plumbing and the cluster's bridges are gone with its OVN daemons.
        using var lxd3 = Lab.Client(3);
        await MeshLab.EventuallyAsync(async () => !File.Exists(new Terrarium.Cluster.Layout.NodeLayout(Lab.Node(3).TerrariumRoot).NodeIdentityFile),
            TimeSpan.FromSeconds(60), "node3's agent finishes leaving");
        var config3 = (await lxd3.GetServerAsync()).Config;
        Assert.DoesNotContain(config3, kv => kv.Key is "core.https_address" or "cluster.https_address" && kv.Value.StartsWith("10.255.54.3:", StringComparison.Ordinal));
        var links3 = await Lab.Exec(3, "ip", "-o", "link", "show");
        Assert.DoesNotContain("mesh-k", links3.StdOut);
        Assert.DoesNotContain("terrarium-wg0", links3.StdOut);
    });

}
