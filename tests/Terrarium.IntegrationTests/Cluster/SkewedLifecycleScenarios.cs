using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Cluster;

/// <summary>
/// What every snap LXD version changes on the wire, on a 2-member cluster of real LXD 5.0.2 daemons behind the lab's
/// skew proxy, formed by `lab up --nodes 2 --lxd-behaviour …` (init, invite, join and agents all through the proxy).
/// The rest of the REST differences are replayed by DaemonContractTests and SkewProxyTests; real Incus 6.0.4 runs the
/// whole lifecycle and workload scenarios below.
/// </summary>
public abstract class SkewedPairSteps(LabFixture lab)
{
    [Fact]
    [Needs]
    public Task S02_C6_C7_the_standby_member_is_evacuated_and_restored_across_the_proxy_s_operation_waits() => lab.Steps.RunAsync(async () =>
    {
        using var lxd = lab.Client(1);
        var body = new InstancesPost { Name = "sb1", Source = new InstanceSource { Alias = LabRunner.ImageAlias } };
        await lxd.LaunchInstanceAsync(body, "node2");

        MeshLab.AssertOk(await lab.Ctl(1, "cluster", "evacuate", "node2", "--yes"));
        var moved = await lxd.GetInstanceAsync("sb1");
        Assert.Equal(("node1", "Running"), (moved.Location, moved.Status));
        Assert.Equal("Evacuated", (await lxd.GetClusterMemberAsync("node2")).Status);

        MeshLab.AssertOk(await lab.Ctl(2, "cluster", "restore", "node2", "--yes"));
        var back = await lxd.GetInstanceAsync("sb1");
        Assert.Equal(("node2", "Running"), (back.Location, back.Status));
        Assert.Equal("Online", (await lxd.GetClusterMemberAsync("node2")).Status);
        await lxd.SetInstanceStateAsync("sb1", "stop", force: true);
        await lxd.DeleteInstanceAsync("sb1");
    });

    /// <summary>Both members answer as <paramref name="version"/> and form one cluster; doctor names the version.</summary>
    protected async Task AssertPairAsync(string version)
    {
        for (var i = 1; i <= 2; i++)
        {
            using var lxd = lab.Client(i);
            Assert.Equal(version, (await lxd.GetServerProfileAsync()).ToString());
        }
        using var first = lab.Client(1);
        Assert.Equal(["node1", "node2"], (await first.GetClusterMembersAsync()).Select(m => m.ServerName).Order());
        var doctor = await lab.Ctl(2, "doctor");
        Assert.Contains($"{version} at {lab.Node(2).ApiSocket}", doctor.StdOut);
    }
}

/// <summary>
/// Snap LXD 5.21.1: operation waits end in the error envelope, the join token is read from cluster_password only, and
/// the trust password is a JSON boolean.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
[Collection(LabQueue.Lxd)]
public class ClusterOnLxd521(TerrariumPair521 lab) : SkewedPairSteps(lab), IClassFixture<TerrariumPair521>
{
    [Fact]
    public Task S00_L13_both_members_answer_as_LXD_5_21_and_joined_through_cluster_password() => lab.Steps.RunAsync(async () =>
    {
        await AssertPairAsync("LXD 5.21.1");
        using var lxd = lab.Client(1);
        Assert.Equal("true", (await lxd.GetServerAsync()).Config["core.trust_password"]); // JSON true, read as text
    });
}

/// <summary>
/// LXD 6.9 beyond what real Incus 6.0.4 also changes: the join token from cluster_token only, no hidden keys, and the
/// evacuation quorum check, refused by terrariumctl and by the daemon, with an evacuation the check allows.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
[Collection(LabQueue.Lxd)]
public class ClusterOnLxd6(TerrariumPair6 lab) : SkewedPairSteps(lab), IClassFixture<TerrariumPair6>
{
    [Fact]
    public Task S00_L13_both_members_answer_as_LXD_6_9_and_joined_through_cluster_token() => lab.Steps.RunAsync(async () =>
    {
        await AssertPairAsync("LXD 6.9");
        for (var i = 1; i <= 2; i++)
        {
            using var lxd = lab.Client(i);
            Assert.True((await lxd.GetServerProfileAsync()).EvacuationChecksQuorum);
            Assert.False((await lxd.GetServerAsync()).Config.ContainsKey("core.trust_password"));
        }
    });

    [Fact]
    [Needs]
    public Task S01_L13_C6_the_last_voter_of_two_members_is_not_evacuated_and_the_daemon_itself_refuses_too() => lab.Steps.RunAsync(async () =>
    {
        using var lxd = lab.Client(1);
        var members = await lxd.GetClusterMembersAsync();
        Assert.DoesNotContain("database", members.Single(m => m.ServerName == "node2").Roles); // LXD keeps a second member standby

        var r = await lab.Ctl(1, "cluster", "evacuate", "node1", "--yes");
        ProcessAssert.Exit(2, r);
        Assert.Contains("LXD 6.9 would refuse to mark node1 evacuated", r.StdErr);
        var e = await Assert.ThrowsAnyAsync<Terrarium.Lxd.LxdException>(() => lxd.SetClusterMemberStateAsync("node1", "evacuate"));
        Assert.Contains("Insufficient online voters to maintain quorum", e.Message);
        Assert.All(await lxd.GetClusterMembersAsync(), m => Assert.Equal("Online", m.Status));
    });
}

/// <summary>
/// The lifecycle scenario on five real Incus 6.0.4 daemons (Debian bookworm-backports), every step but the one lab run of
/// bad input (S06, on LXD: its refusals take the same path on every daemon): the join token in
/// cluster_token, existing pools left to the joiner, operations waited on across the error envelope, Incus's own
/// socket, statuses and client.
/// </summary>
[TestCaseOrderer(ScenarioOrderer.Name, ScenarioOrderer.Assembly)]
[Collection(LabQueue.Incus)]
public class LifecycleOnIncus(MeshLabIncus lab) : ClusterLifecycleSteps(lab), IClassFixture<MeshLabIncus>
{
    protected override IReadOnlyList<string> CrashPoints => DaemonCrashPoints;

    [Fact]
    [Needs]
    public Task S00_L13_every_node_is_a_real_incus_6_0() => lab.Steps.RunAsync(async () =>
    {
        for (var i = 1; i <= 5; i++)
        {
            using var incus = lab.Client(i);
            var profile = await incus.GetServerProfileAsync();
            Assert.True(profile.IsIncus, profile.ToString());
            Assert.StartsWith("Incus 6.0", profile.ToString());
        }
    });
}
