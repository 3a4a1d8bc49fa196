using System.Net;
using System.Text.Json.Nodes;
using Terrarium.Cluster.Invites;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Validation;
using Terrarium.Host.Tools;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Lifecycle;
using Terrarium.Operations.Workloads;
using Terrarium.UnitTests.Lxd.Fake;

namespace Terrarium.UnitTests.Lxd;

/// <summary>
/// Contract tests: the real client and the join, evacuate and move operations against a fake daemon
/// replaying each supported LXD/Incus version (<see cref="DaemonProfile"/>), for the versions the lab cannot run.
/// </summary>
public class DaemonContractTests
{
    private static readonly ClusterJoinToken Token = new() { ServerName = "node2", Secret = "s", Fingerprint = "f", Addresses = ["10.255.54.1:8443"] };
    private const string EncodedToken = "dG9rZW4=";

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task L13_server_info_reads_hidden_keys_and_config_changes_never_write_them_back(string name)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        foreach (var key in fake.Profile.HiddenKeys) fake.Hidden[key] = "s3cret";
        using var lxd = LxdClient.ForSocket(fake.Socket);

        var server = await lxd.GetServerAsync();
        foreach (var key in fake.Profile.HiddenKeys) Assert.Equal("true", server.Config[key]); // JSON true, read as text
        var profile = await lxd.GetServerProfileAsync();
        Assert.Equal(fake.Profile.Server == "incus", profile.IsIncus);
        Assert.Equal(fake.Profile.EvacuationQuorumCheck, profile.EvacuationChecksQuorum);

        await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["core.https_address"] = "10.255.54.2:8443" });
        await lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["core.https_address"] = "10.255.54.2:8443" }); // no change: no write
        Assert.Equal("10.255.54.2:8443", fake.Config["core.https_address"]);
        foreach (var key in fake.Profile.HiddenKeys) Assert.Equal("s3cret", fake.Hidden[key]);
        Assert.Equal(0, fake.Count("PUT /1.0?") + fake.Requests.Count(r => r == "PUT /1.0"));
        Assert.Equal(1, fake.Count("PATCH /1.0"));
    }

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task I13_a_config_change_the_daemon_fails_keeps_the_members_addresses_and_the_clusters_keys(string name)
    {
        // What Incus 6.0.4 did in the lab: a network.ovn.* change it could not connect with wiped cluster.https_address.
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        fake.Config["core.https_address"] = fake.Config["cluster.https_address"] = "10.255.54.1:8443";
        fake.Config["network.ovn.northbound_connection"] = "ssl:10.255.54.1:6641";
        foreach (var key in fake.Profile.HiddenKeys) fake.Hidden[key] = "s3cret";
        fake.PatchFailures.Enqueue("Failed to connect to OVN: no client certificate");
        using var lxd = LxdClient.ForSocket(fake.Socket);

        await Assert.ThrowsAsync<LxdException>(() => lxd.SetServerConfigAsync(new Dictionary<string, string?> { ["network.ovn.client_cert"] = "PEM" }));

        Assert.Equal("10.255.54.1:8443", fake.Config["core.https_address"]);
        Assert.Equal("10.255.54.1:8443", fake.Config["cluster.https_address"]);
        Assert.Equal("ssl:10.255.54.1:6641", fake.Config["network.ovn.northbound_connection"]);
        foreach (var key in fake.Profile.HiddenKeys.Where(_ => fake.Profile.PatchRevert != PatchRevert.ResetsUnnamed))
            Assert.Equal("s3cret", fake.Hidden[key]); // a hidden key cannot be named (its value is not readable): lost there
    }

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task L13_operations_longer_than_one_wait_succeed_and_failures_carry_the_daemons_reason(string name)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        fake.Instances.Add(Instance("c1", "node1", "Stopped"));
        using var lxd = LxdClient.ForSocket(fake.Socket);

        var reports = 0;
        await lxd.SetInstanceStateAsync("c1", "start");
        Assert.Equal("Running", (string?)fake.Instances[0]["status"]);

        // Long enough that the first 1 s wait ends with the operation still running, even on a loaded machine.
        fake.OperationTime = TimeSpan.FromSeconds(4);
        var failing = fake.Start("Joining cluster", "Failed request to add member: boom");
        var e = await Assert.ThrowsAsync<LxdOperationFailedException>(() =>
            lxd.WaitOperationAsync(failing.Id, new InlineProgress<Operation>(_ => reports++)));
        Assert.Equal("Failed request to add member: boom", e.Reason);
        Assert.True(reports >= 1, "progress is reported while the operation runs, in either wait shape");
    }

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task L13_C3_the_join_token_is_accepted_by_every_version(string name)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        using var lxd = LxdClient.ForSocket(fake.Socket);
        await Join(fake, lxd);
        Assert.True(fake.Clustered);
        var sent = Assert.Single(fake.JoinRequests);
        Assert.Equal(EncodedToken, (string?)sent["cluster_token"]);
        Assert.Equal(EncodedToken, (string?)sent["cluster_password"]);
    }

    [Theory]
    [InlineData("Failed request to add member: Missing network \"terrarium-ovn\" in project \"default\"")]
    [InlineData("Failed request to add member: Missing storage pool \"fast\"")]
    public async Task I14_a_join_that_overlapped_a_new_network_or_pool_joins_again(string refusal)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Snap521);
        fake.JoinRefusals.Enqueue(refusal);
        using var lxd = LxdClient.ForSocket(fake.Socket);
        await Join(fake, lxd);
        Assert.True(fake.Clustered);
        Assert.Equal(2, fake.JoinRequests.Count);
    }

    [Fact]
    public async Task I14_when_lxd_spent_the_invite_on_the_refused_join_the_error_says_to_make_a_new_invite()
    {
        // What Debian's LXD 5.0.2 does in the lab: the second attempt finds the single-use token gone.
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.JoinRefusals.Enqueue("Failed request to add member: Missing network \"trmrace3\" in project \"default\"");
        fake.JoinRefusals.Enqueue("Failed to setup cluster trust: Failed to add server cert to cluster: No matching cluster join operation found");
        using var lxd = LxdClient.ForSocket(fake.Socket);
        var e = await Assert.ThrowsAsync<InputException>(() => Join(fake, lxd));
        Assert.Contains("changed while node2 joined", e.Message);
        Assert.Contains("terrariumctl cluster invite node2", e.Message);
        Assert.Equal(2, fake.JoinRequests.Count);
    }

    [Fact]
    public async Task I14_a_refusal_that_another_try_cannot_fix_is_not_retried()
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Debian502);
        fake.JoinRefusals.Enqueue("Failed to join cluster: The joining server version doesn't match");
        using var lxd = LxdClient.ForSocket(fake.Socket);
        var e = await Assert.ThrowsAsync<LxdOperationFailedException>(() => Join(fake, lxd));
        Assert.Contains("version", e.Reason);
        Assert.Single(fake.JoinRequests);
        Assert.False(fake.Clustered);
    }

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task I8_a_rerun_waits_for_the_join_LXD_still_runs_and_sends_no_second_one(string name)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        fake.Start("Joining cluster", onSuccess: () => fake.Clustered = true); // the join a killed run had sent
        using var lxd = LxdClient.ForSocket(fake.Socket);
        await Join(fake, lxd);
        Assert.True(fake.Clustered);
        Assert.Empty(fake.JoinRequests);
    }

    [Theory]
    [MemberData(nameof(DaemonProfile.Each), MemberType = typeof(DaemonProfile))]
    public async Task L13_C6_evacuating_a_two_member_cluster_is_checked_before_anything_moves(string name)
    {
        await using var fake = await FakeLxd.StartAsync(DaemonProfile.Named(name));
        fake.Clustered = true;
        fake.Members.Add(("node1", "Online", ["database-leader", "database"]));
        fake.Members.Add(("node2", "Online", ["database-standby"]));
        fake.Instances.Add(Instance("c1", "node1", "Stopped"));
        var env = Environment(fake);
        var operations = new WorkloadOperations(env);
        var evacuate = Task.Run(async () => await operations.EvacuateAsync(await operations.PlanEvacuationAsync("node1", CancellationToken.None), 3, CancellationToken.None));

        if (fake.Profile.EvacuationQuorumCheck)
        {
            var refused = await Assert.ThrowsAsync<InputException>(() => evacuate);
            Assert.Contains("nothing was moved", refused.Message);
            Assert.Equal(0, fake.Count("POST /1.0/instances/"));
            Assert.Equal("node1", (string?)fake.Instances[0]["location"]);
        }
        else
        {
            var result = await evacuate;
            Assert.True(result.MarkedEvacuated);
            Assert.Equal("node2", (string?)fake.Instances[0]["location"]);
            Assert.Equal("Evacuated", fake.Members[0].Status);
        }
    }

    [Theory]
    [InlineData("lxd", "container", false)]
    [InlineData("incus", "container", true)]
    [InlineData("lxd", "virtual-machine", true)]
    public void L13_live_moves_follow_what_the_daemon_allows(string server, string type, bool live)
    {
        var instance = new Instance { Type = type, ExpandedConfig = { ["migration.stateful"] = "true" } };
        Assert.Equal(live, InstanceMover.CanMigrateLive(instance, new LxdServerProfile(server, "x", [])));
    }

    [Theory]
    [InlineData("lxd", "5.0.2", false)]
    [InlineData("lxd", "5.0.3", true)]
    [InlineData("lxd", "5.17", false)]
    [InlineData("lxd", "5.21.4", true)]
    [InlineData("lxd", "5.21.5", false)]
    [InlineData("lxd", "6.8", true)]
    [InlineData("lxd", "6.9", false)]
    [InlineData("incus", "6.0.4", true)]
    [InlineData("incus", "6.0.5", true)]
    [InlineData("incus", "6.0.6", false)]
    [InlineData("incus", "6.17", true)]
    [InlineData("incus", "6.18", false)]
    [InlineData("incus", "7.1", false)]
    [InlineData("incus", "git", false)]
    public void I13_the_versions_whose_failed_patch_resets_other_keys(string server, string version, bool resets) =>
        Assert.Equal(resets, new LxdServerProfile(server, version, []).FailedPatchResetsUnnamedKeys);

    private static async Task Join(FakeLxd fake, LxdClient lxd)
    {
        var bundle = new JoinBundle { Member = "node2" };
        await new LxdJoin(Environment(fake), (_, _, _) => Task.FromResult("PEM"))
            .RunAsync(lxd, bundle, Token, EncodedToken, "10.255.54.1:8443", IPAddress.Parse("10.255.54.2"), CancellationToken.None);
    }

    internal static NodeEnvironment Environment(FakeLxd fake, TimeProvider? time = null) =>
        new(new NodeLayout(Directory.CreateDirectory(Path.Join(NodeRoots.Value, Guid.NewGuid().ToString("N"))).FullName), ToolPaths.FromEnvironment(), fake.Socket, _ => { }, time); // its own journal

    /// <summary>One folder for every fake-daemon test's node root in this run, removed when the run ends.</summary>
    private static readonly Lazy<string> NodeRoots = new(() =>
    {
        var root = Directory.CreateTempSubdirectory("trm-unit-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(root, recursive: true);
        return root;
    });

    internal static JsonObject Instance(string name, string location, string status) => new()
    {
        ["name"] = name, ["location"] = location, ["status"] = status, ["type"] = "container",
        ["config"] = new JsonObject(), ["expanded_config"] = new JsonObject(),
    };
}
