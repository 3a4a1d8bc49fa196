using System.Text.Json;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Ovn;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.IntegrationTests.Support;
using Terrarium.IntegrationTests.Workloads;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Routes;
using Terrarium.Operations.Workloads;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Lxd;

/// <summary>
/// Issue #13 on a real Incus 6.0.4 (not only the fake): a Terrarium cluster formed with terrariumctl (init, invite,
/// join), status, instances on terrarium-ovn reaching each other across members, and remove --move. On the way: the
/// join token in cluster_token and existing pools left to the joiner (behaviour 2), operations waited on across
/// Incus 6.0.4's error-envelope answers (behaviour 1), evacuate/restore, and the daemon found and named as Incus
/// (behaviour 4). The steps run in order and build on each other.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
public class IncusClusterTests(IncusLab lab) : IClassFixture<IncusLab>
{
    private static string Mesh(int i) => $"10.255.54.{i}";

    [Fact]
    public Task S01_C1_I13_init_on_incus_keeps_the_cluster_address_its_heartbeats_need() => lab.Steps.RunAsync(async () =>
    {
        ProcessAssert.Ok(await lab.Ctl(1, "cluster", "init", "--member", "node1"));
        await lab.Lab.StartAgentAsync(lab.Node(1));
        // Incus 6.0.4 reset it when a network.ovn.* change failed (LxdServerProfile.FailedPatchResetsUnnamedKeys).
        using var incus = lab.Client(1);
        var server = await incus.GetServerAsync();
        Assert.True(server.Environment.ServerClustered);
        Assert.Equal($"{Mesh(1)}:8443", server.Config.GetValueOrDefault("core.https_address"));
        Assert.Equal($"{Mesh(1)}:8443", server.Config.GetValueOrDefault("cluster.https_address"));
        Assert.Equal("Created", (await incus.GetNetworkAsync(OvnNetworkSettings.NetworkName)).Status);
    });

    [Fact]
    public Task S02_C3_I13_node2_joins_with_terrariumctl() => lab.Steps.RunAsync(async () =>
    {
        await JoinAsync(2);
        using var incus = lab.Client(2);
        Assert.Equal($"{Mesh(2)}:8443", (await incus.GetServerAsync()).Config.GetValueOrDefault("cluster.https_address"));
    });

    [Fact]
    public Task S03_L13_the_server_profile_says_incus_and_both_members_joined() => lab.Steps.RunAsync(async () =>
    {
        using var incus = lab.Client(1);
        var profile = await incus.GetServerProfileAsync();
        Assert.True(profile.IsIncus, profile.ToString());
        Assert.StartsWith("Incus 6.0", profile.ToString());
        var members = await incus.GetClusterMembersAsync();
        Assert.Equal(["node1", "node2"], members.Select(m => m.ServerName).Order());
        Assert.All(members, m => Assert.Equal("Online", m.Status));
    });

    [Fact]
    public Task S04_L13_B1_a_running_operation_is_waited_on_across_timeouts_and_a_cancelled_one_fails_with_its_reason() => lab.Steps.RunAsync(async () =>
    {
        using var incus = lab.Client(1);
        // A join token is an operation that runs until it is used or cancelled: every 1 s wait times out.
        var (_, _, operation) = await incus.CreateJoinTokenWithOperationAsync("node9");
        var reports = 0;
        using (var cut = new CancellationTokenSource(TimeSpan.FromSeconds(3.5)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
                incus.WaitOperationAsync(operation, new InlineProgress<Operation>(_ => reports++), cut.Token));
        }
        Assert.True(reports >= 2, $"progress reported {reports} time(s) across the timed-out waits");

        var waiting = incus.WaitOperationAsync(operation);
        await Task.Delay(500);
        await incus.CancelOperationAsync(operation);
        var failed = await Assert.ThrowsAsync<LxdOperationFailedException>(() => waiting);
        Assert.False(string.IsNullOrWhiteSpace(failed.Reason));
    });

    [Fact]
    public Task S05_L13_evacuate_and_restore_through_terrarium_on_real_incus() => lab.Steps.RunAsync(async () =>
    {
        using var incus = lab.Client(1);
        await incus.CreateInstanceAsync(new InstancesPost { Name = "evac1", Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, target: "node2");
        var env = new NodeEnvironment(new NodeLayout(lab.Node(1).TerrariumRoot), ToolPaths.FromEnvironment(), lab.Node(1).LxdSocket, _ => { });
        var workloads = new WorkloadOperations(env);
        var evacuated = await workloads.EvacuateAsync(await workloads.PlanEvacuationAsync("node2", CancellationToken.None), 3, CancellationToken.None);
        Assert.True(evacuated.MarkedEvacuated);
        Assert.Equal("node1", (await incus.GetInstanceAsync("evac1")).Location);
        Assert.Equal("Evacuated", (await incus.GetClusterMemberAsync("node2")).Status);

        var restored = await workloads.RestoreAsync(await workloads.PlanRestoreAsync("node2", CancellationToken.None), progress: null, CancellationToken.None);
        Assert.Equal(["evac1"], restored.Returned.Select(r => r.ToString()));
        Assert.Equal("node2", (await incus.GetInstanceAsync("evac1")).Location);
        await incus.DeleteInstanceAsync("evac1");
    });

    [Fact]
    public Task S06_L13_terrariumctl_finds_incus_through_INCUS_DIR() => lab.Steps.RunAsync(async () =>
    {
        var r = await SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "--root", lab.Node(1).TerrariumRoot, "-o", "json", "doctor"],
            env: new Dictionary<string, string> { ["LXD_DIR"] = "", ["INCUS_DIR"] = lab.Node(1).LxdDir }, timeout: TimeSpan.FromMinutes(1));
        using var json = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var daemon = json.RootElement.GetProperty("checks").EnumerateArray().First(c => c.GetProperty("check").GetString() == "daemon");
        Assert.True(daemon.GetProperty("result").GetString() == "PASS", r.StdOut + r.StdErr);
        Assert.Contains("Incus 6.0.4", daemon.GetProperty("detail").GetString());
    });

    [Fact]
    public Task S07_C3_C8_node3_joins_and_status_shows_three_members_online() => lab.Steps.RunAsync(async () =>
    {
        await JoinAsync(3);
        using var status = await lab.StatusAsync(1);
        var members = status.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(["node1", "node2", "node3"], members.Select(m => m.GetProperty("name").GetString()).Order());
        Assert.All(members, m => Assert.Equal("Online", m.GetProperty("status").GetString()));
        Assert.All(members, m => Assert.True(m.GetProperty("reachable").GetBoolean()));
        Assert.True(status.RootElement.GetProperty("quorum").GetProperty("has_quorum").GetBoolean());
        Assert.DoesNotContain(status.RootElement.GetProperty("problems").EnumerateArray(), p => p.GetProperty("severity").GetString() != "info");
    });

    [Fact]
    public Task S08_O1_instances_on_terrarium_ovn_reach_each_other_across_incus_members() => lab.Steps.RunAsync(async () =>
    {
        await OvnSettle.WaitAsync(lab);
        using var incus = lab.Client(1);
        foreach (var i in new[] { 2, 3 })
        {
            var body = new InstancesPost { Name = $"ovn{i}", Source = new InstanceSource { Alias = LabRunner.ImageAlias } };
            body.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = OvnNetworkSettings.NetworkName };
            await incus.LaunchInstanceAsync(body, $"node{i}");
        }
        var addresses = await OvnAddressesAsync(incus);
        ProcessAssert.Ok(await lab.Exec(1, "incus", "exec", "ovn2", "--", "ping", "-c", "2", "-W", "3", addresses["ovn3"]));
        ProcessAssert.Ok(await lab.Exec(1, "incus", "exec", "ovn3", "--", "ping", "-c", "2", "-W", "3", addresses["ovn2"]));
    });

    [Fact]
    public Task S09_C4_remove_moves_node3s_instance_which_still_reaches_the_other() => lab.Steps.RunAsync(async () =>
    {
        var r = await lab.Ctl(1, "cluster", "remove", "node3", "--move", "--yes");
        ProcessAssert.Ok(r);
        Assert.Contains("node3 was removed", r.StdOut);
        using var incus = lab.Client(1);
        Assert.Equal(["node1", "node2"], (await incus.GetClusterMembersAsync()).Select(m => m.ServerName).Order());
        Assert.NotEqual("node3", (await incus.GetInstanceAsync("ovn3")).Location);
        var addresses = await OvnAddressesAsync(incus);
        // Across the two remaining members, after OVN's central set shrank and node3's Geneve route was dropped.
        await MeshLab.EventuallyAsync(async () => (await lab.Exec(1, "incus", "exec", "ovn2", "--", "ping", "-c", "1", "-W", "2", addresses["ovn3"])).Ok,
            TimeSpan.FromSeconds(30), "ovn2 reaches the moved ovn3");
        foreach (var name in new[] { "ovn2", "ovn3" })
        {
            await incus.SetInstanceStateAsync(name, "stop", force: true);
            await incus.DeleteInstanceAsync(name);
        }
    });

    /// <summary>`cluster invite` on node1, the printed join on node <paramref name="node"/>, then its agent, as `lab up` does.</summary>
    private async Task JoinAsync(int node)
    {
        var invite = await lab.Ctl(1, "--output", "json", "cluster", "invite", $"node{node}", lab.Node(node).Address.ToString());
        ProcessAssert.Ok(invite);
        using var json = JsonDocument.Parse(invite.StdOut);
        var join = await lab.Ctl(node, "cluster", "join", "--token", json.RootElement.GetProperty("token").GetString()!,
            "--wireguard", json.RootElement.GetProperty("wireguard").GetString()!);
        ProcessAssert.Ok(join);
        await lab.Lab.StartAgentAsync(lab.Node(node));
    }

    private static async Task<Dictionary<string, string>> OvnAddressesAsync(LxdClient incus)
    {
        var addresses = new Dictionary<string, string>();
        await MeshLab.EventuallyAsync(async () =>
        {
            foreach (var i in (await incus.GetInstancesWithStateAsync()).Where(i => i.Name.StartsWith("ovn", StringComparison.Ordinal)))
                if (RouteSync.WorkloadAddress(i) is { } a) addresses[i.Name] = a;
            return addresses.Count == 2;
        }, TimeSpan.FromSeconds(60), "both instances get addresses from OVN's DHCP");
        return addresses;
    }
}
