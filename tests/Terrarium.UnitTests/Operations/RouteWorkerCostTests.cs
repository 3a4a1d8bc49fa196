using Terrarium.Cluster.Config;
using Terrarium.Cluster.Layout;
using Terrarium.Cluster.Placement;
using Terrarium.Host.Tools;
using Terrarium.Lxd.Wire;
using Terrarium.Operations;
using Terrarium.Operations.Convergence;
using Terrarium.Operations.Identity;
using Terrarium.Operations.Routes;

namespace Terrarium.UnitTests.Operations;

/// <summary>
/// Issue #11: the route worker runs on every instance event of the cluster, on every member, so what one event costs is
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
