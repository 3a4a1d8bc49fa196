using Terrarium.Cluster.Config;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Host.Tools;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Routes;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// The route worker runs on every instance event of the cluster, on every member, so what one event costs is
/// multiplied by the cluster's size. An event about one instance reads that instance, not the whole cluster.
/// </summary>
public sealed class RouteWorkerCostTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("terrarium-routecost-").FullName;
    private readonly RecordingRunner _runner = new();
    private readonly InMemoryLxd _lxd = new();
    private readonly List<string> _log = [];

    public RouteWorkerCostTests()
    {
        _lxd.Members.AddRange([("node1", "Online", true), ("node2", "Online", true)]);
        _lxd.Projects.Add(SharedConfig.Project);
        _lxd.Instances.Add((OnOvn("web", "node2", new() { ["user.terrarium.route.web"] = "web.example:80" }), WithAddress(4242, "10.10.0.5")));
        _lxd.Instances.Add((OnOvn("db", "node1", []), WithAddress(4343, "10.10.0.6")));
        BecomeMember(1);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private NodeEnvironment Env() =>
        new(new NodeLayout(_root), ToolPaths.FromEnvironment() with { Runner = _runner }, "/nonexistent.socket", _log.Add, lxd: () => _lxd);

    private NodeConverger Agent() => NodeConverger.ForAgent(Env());

    /// <summary>This scratch node is member node<paramref name="n"/> (a full sync reads who it is).</summary>
    private void BecomeMember(int n) =>
        new NodeIdentity { Member = $"node{n}", MeshAddress = $"10.77.0.{n}", MeshCidr = "10.77.0.0/24" }.Save(new NodeLayout(_root));

    [Fact]
    public async Task T2_an_event_about_one_instance_reads_that_instance_only_not_every_instance_of_the_cluster()
    {
        var agent = Agent();
        await agent.SyncRoutesAsync(null, CancellationToken.None); // the first pass looks at everything
        Assert.Equal(1, _lxd.InstanceReads.Count(r => r == "list"));
        _lxd.InstanceReads.Clear();

        var result = await agent.SyncRoutesAsync([InstanceRef.Of("default", "web")], CancellationToken.None);

        Assert.Null(result.OvnError);
        Assert.Equal(["get web"], _lxd.InstanceReads); // its address is kept: same member, still running
    }

    [Fact]
    public async Task T2_an_event_about_a_local_instance_on_the_workload_network_tunes_that_instance_without_listing_the_cluster()
    {
        if (Terrarium.Host.Ovn.GeneveOverMesh.KernelDatapathAvailable) return; // tuning is for the userspace datapath only
        var agent = Agent();
        await agent.SyncRoutesAsync(null, CancellationToken.None);
        _lxd.InstanceReads.Clear();
        _runner.Commands.Clear();
        _lxd.Instances[1] = (_lxd.Instances[1].Instance, WithAddress(5454, "10.10.0.6")); // restarted: a new init process

        await agent.SyncRoutesAsync([InstanceRef.Of("default", "db")], CancellationToken.None);

        Assert.Equal(["get db", "state db"], _lxd.InstanceReads);
        Assert.Contains(_runner.Commands, c => c.Contains("-t 5454 -n") && c.EndsWith("-K eth0 tx off"));
    }

    [Fact]
    public async Task T2_after_an_event_only_the_first_online_member_records_a_new_route_host_owner_and_the_file_does_not_wait_for_it()
    {
        BecomeMember(2);
        var onNode2 = new RouteSync(Env());
        await onNode2.SyncAsync(_lxd, CancellationToken.None); // a full sync records what is missing, on any member
        await onNode2.Recording;
        Assert.True(Claimed("web.example"));

        var web = InstanceRef.Of("default", "web");
        _lxd.Instances[0].Instance.Config["user.terrarium.route.web"] = "shop.example:80";
        await onNode2.SyncAsync(_lxd, CancellationToken.None, [web]);
        await onNode2.Recording;
        Assert.Contains("shop.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));
        Assert.False(Claimed("shop.example")); // node1 records it: not every member of the cluster
        Assert.True(Claimed("web.example"));

        BecomeMember(1);
        var onNode1 = new RouteSync(Env());
        await onNode1.SyncAsync(_lxd, CancellationToken.None);
        await onNode1.Recording;
        _lxd.Instances[0].Instance.Config["user.terrarium.route.web"] = "blog.example:80";
        await onNode1.SyncAsync(_lxd, CancellationToken.None, [web]);
        await onNode1.Recording;
        Assert.True(Claimed("blog.example"));
        Assert.False(Claimed("shop.example"));
        Assert.False(Claimed("web.example"), string.Join("\n", _log));
    }

    [Fact]
    public async Task T3_routes_of_a_member_that_comes_back_are_served_at_the_next_event_or_member_watch_not_the_next_resync()
    {
        // LXD sends no event when a member comes back online (and the events of its instances are lost until it
        // reconnects to that member): CI's reboot step waited 25-37 s for a route that only the 30 s resync restored.
        _lxd.Members[1] = ("node2", "Offline", true);
        var sync = new RouteSync(Env());
        var first = await sync.SyncAsync(_lxd, CancellationToken.None);
        Assert.Equal(["web"], first.AwaitingMember.Select(i => i.Name));
        Assert.DoesNotContain("web.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));

        // The member watch (an empty event) reads the members only, while nothing changed.
        _lxd.InstanceReads.Clear();
        var unchanged = await sync.SyncAsync(_lxd, CancellationToken.None, []);
        Assert.Empty(_lxd.InstanceReads);
        Assert.Equal(["web"], unchanged.AwaitingMember.Select(i => i.Name));

        // Back online: the next event about any instance (or the member watch) takes a full look.
        _lxd.Members[1] = ("node2", "Online", true);
        var back = await sync.SyncAsync(_lxd, CancellationToken.None, [InstanceRef.Of("default", "db")]);
        Assert.Empty(back.AwaitingMember);
        Assert.Contains("web.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));
    }

    [Fact]
    public async Task T3_an_instance_lxd_could_not_reach_is_asked_again_by_the_member_watch()
    {
        // A reboot shorter than LXD's offline threshold: the member stays "Online", its instances list as "Error"
        // (lxd/instances_get.go, lxd-5.0.2) and their start events are lost.
        _lxd.Instances[0].Instance.Status = "Error";
        var sync = new RouteSync(Env());
        var first = await sync.SyncAsync(_lxd, CancellationToken.None);
        Assert.Equal(["web"], first.AwaitingMember.Select(i => i.Name));

        _lxd.Instances[0].Instance.Status = "Running";
        var back = await sync.SyncAsync(_lxd, CancellationToken.None, []);

        Assert.Empty(back.AwaitingMember);
        Assert.Contains("web.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));
    }

    [Fact]
    public async Task T3_an_instance_its_restarted_member_has_not_started_again_yet_is_asked_again_by_the_member_watch()
    {
        // After a reboot LXD lists what ran before as stopped with volatile.last_state.power=RUNNING until it starts
        // it (lxd/instances.go instancesStart, lxd-5.0.2); the start event is lost to members not reconnected yet.
        _lxd.Instances[0].Instance.Status = "Stopped";
        _lxd.Instances[0].Instance.Config[PowerStates.LastPowerKey] = "RUNNING";
        var sync = new RouteSync(Env());
        var first = await sync.SyncAsync(_lxd, CancellationToken.None);
        Assert.Equal(["web"], first.AwaitingMember.Select(i => i.Name));
        Assert.DoesNotContain("web.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));

        _lxd.Instances[0].Instance.Status = "Running";
        var back = await sync.SyncAsync(_lxd, CancellationToken.None, []);

        Assert.Empty(back.AwaitingMember);
        Assert.Contains("web.example", File.ReadAllText(new NodeLayout(_root).TraefikDynamicFile));
    }

    private bool Claimed(string host) =>
        _lxd.Profiles.GetValueOrDefault(SharedConfig.Project)?.ContainsKey(RowNames.RouteClaim(host)) == true;

    private static Instance OnOvn(string name, string member, Dictionary<string, string> config) => new()
    {
        Name = name, Project = "default", Status = "Running", Location = member, Config = config, CreatedAt = DateTimeOffset.UnixEpoch,
        ExpandedDevices = { ["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = "terrarium-ovn" } },
    };

    private static InstanceState WithAddress(int pid, string address) => new()
    {
        Status = "Running", Pid = pid,
        Network = new() { ["eth0"] = new InstanceNetworkState { Addresses = [new InstanceAddress { Family = "inet", Scope = "global", Address = address }] } },
    };
}
