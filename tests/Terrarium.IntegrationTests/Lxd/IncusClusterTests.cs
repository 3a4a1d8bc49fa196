using Terrarium.Cluster.Layout;
using Terrarium.Host.Processes;
using Terrarium.Host.Tools;
using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Workloads;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Lxd;

/// <summary>
/// Issue #13 on a real Incus 6.0.4 (not only the fake): the cluster was formed through Terrarium's client (join token
/// in cluster_token, existing pools left to the joiner: behaviour 2), operations are waited on across Incus 6.0.4's
/// error-envelope answers (behaviour 1), and the daemon is found and named as Incus (behaviour 4).
/// </summary>
public class IncusClusterTests(IncusClusteredLab lab) : IClassFixture<IncusClusteredLab>
{
    [Fact]
    public async Task L13_the_server_profile_says_incus_and_both_members_joined()
    {
        using var incus = lab.Client(1);
        var profile = await incus.GetServerProfileAsync();
        Assert.True(profile.IsIncus, profile.ToString());
        Assert.StartsWith("Incus 6.0", profile.ToString());
        var members = await incus.GetClusterMembersAsync();
        Assert.Equal(["node1", "node2"], members.Select(m => m.ServerName).Order());
        Assert.All(members, m => Assert.Equal("Online", m.Status));
    }

    [Fact]
    public async Task L13_B1_a_running_operation_is_waited_on_across_timeouts_and_a_cancelled_one_fails_with_its_reason()
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
    }

    [Fact]
    public async Task L13_evacuate_and_restore_through_terrarium_on_real_incus()
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
    }

    [Fact]
    public async Task L13_terrariumctl_finds_incus_through_INCUS_DIR()
    {
        var r = await SystemProcessRunner.Instance.RunAsync(Terrariumctl.Command[0], [.. Terrariumctl.Command.Skip(1), "--root", lab.Node(1).TerrariumRoot, "-o", "json", "doctor"],
            env: new Dictionary<string, string> { ["LXD_DIR"] = "", ["INCUS_DIR"] = lab.Node(1).LxdDir }, timeout: TimeSpan.FromMinutes(1));
        using var json = System.Text.Json.JsonDocument.Parse(r.StdOut);
        var daemon = json.RootElement.GetProperty("checks").EnumerateArray().First(c => c.GetProperty("check").GetString() == "daemon");
        Assert.True(daemon.GetProperty("result").GetString() == "PASS", r.StdOut + r.StdErr);
        Assert.Contains("Incus 6.0.4", daemon.GetProperty("detail").GetString());
    }
}
