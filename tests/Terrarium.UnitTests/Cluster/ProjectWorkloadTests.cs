using System.Net;
using System.Text.Json;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Routes;

namespace Terrarium.UnitTests.Cluster;

/// <summary>Workloads of every project, LXD's placement restrictions, route ownership and reach.</summary>
public class ProjectWorkloadTests
{
    private static readonly GroupedMember[] Members =
    [
        new("node1", ["default"]), new("node2", ["default", "tenant-hw"]), new("node3", ["default", "tenant-hw"]), new("node4", ["default"], "manual"),
    ];

    private static Dictionary<string, string> Cfg(params (string K, string V)[] kv) => kv.ToDictionary(x => x.K, x => x.V);

    [Fact]
    public void I15_restricted_project_groups_limit_members_like_LXD()
    {
        var restricted = Cfg(("restricted", "true"), ("restricted.cluster.groups", "tenant-hw"));
        Assert.Equal(["node2", "node3"], PlacementRules.AllowedMembers(restricted, Cfg(), Members).Order());
        // restricted.cluster.groups only binds a restricted project (AllowClusterMember), and manual members never take automatic placement.
        Assert.Equal(["node1", "node2", "node3"], PlacementRules.AllowedMembers(Cfg(("restricted.cluster.groups", "tenant-hw")), Cfg(), Members).Order());
        // restricted.cluster.target=block stops non-admin targeting only; it excludes no member.
        Assert.Equal(["node1", "node2", "node3"], PlacementRules.AllowedMembers(Cfg(("restricted", "true"), ("restricted.cluster.target", "block")), Cfg(), Members).Order());
        // Named by the operator (`cluster move`), a manual member may take it; the project's groups still bind.
        Assert.Equal(["node1", "node2", "node3", "node4"], PlacementRules.AllowedMembers(Cfg(), Cfg(), Members, targeted: true).Order());
        Assert.Equal(["node2", "node3"], PlacementRules.AllowedMembers(restricted, Cfg(), Members, targeted: true).Order());
    }

    [Fact]
    public void I15_an_instance_placed_in_a_cluster_group_stays_in_it()
    {
        Assert.Equal(["node2", "node3"], PlacementRules.AllowedMembers(Cfg(), Cfg(("volatile.cluster.group", "tenant-hw")), Members).Order());
        GroupedMember[] groupOnly = [new("node1", ["default"]), new("node2", ["gpu"], "group")];
        Assert.Equal(["node1"], PlacementRules.AllowedMembers(Cfg(), Cfg(), groupOnly));
        Assert.Equal(["node2"], PlacementRules.AllowedMembers(Cfg(), Cfg(("volatile.cluster.group", "gpu")), groupOnly));
    }

    [Fact]
    public void I15_the_plan_balances_all_projects_and_reports_what_it_cannot_place()
    {
        var limited = new HashSet<string> { "node3" };
        var (moves, unplaceable) = BalancedPlanner.Plan([
            new PlacementItem(new InstanceRef("tenant", "t1"), limited),
            new PlacementItem(new InstanceRef("default", "d1")),
            new PlacementItem(new InstanceRef("default", "d2")),
            new PlacementItem(new InstanceRef("tenant", "t2"), new HashSet<string> { "node9" }),
        ], [new PlacementTarget("node1", 0, 0), new PlacementTarget("node3", 0, 0)]);
        Assert.Equal(["d1→node1", "d2→node3", "tenant/t1→node3"], moves.Select(m => $"{m.Instance}→{m.Target}"));
        Assert.Equal("tenant/t2", Assert.Single(unplaceable).Instance.ToString());
    }

    [Theory]
    [InlineData("web1", true)]
    [InlineData("a", true)]
    [InlineData("1web", false)]
    [InlineData("-web", false)]
    [InlineData("web-", false)]
    [InlineData("we_b", false)]
    [InlineData("../etc", false)]
    [InlineData("web/x", false)]
    [InlineData("web%2Fx", false)]
    [InlineData("", false)]
    public void I15_instance_names_are_checked_before_LXD_is_asked(string name, bool valid)
    {
        if (valid) Assert.Equal(name, InstanceName.Validate(name));
        else Assert.Throws<InputException>(() => InstanceName.Validate(name));
    }

    [Theory]
    [InlineData("tenant", true)]
    [InlineData("Customer_A", true)]
    [InlineData("a/b", false)]
    [InlineData("..", false)]
    [InlineData("a b", false)]
    [InlineData("a\u001b[31m", false)]
    public void I15_project_names_are_checked(string name, bool valid)
    {
        if (valid) Assert.Equal(name, InstanceName.ValidateProject(name));
        else Assert.DoesNotContain("\u001b", Assert.Throws<InputException>(() => InstanceName.ValidateProject(name)).Message);
    }

    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private static RoutedInstance Routed(string project, string name, string member, string route, string? address = "10.20.0.5", int ageMinutes = 0,
        string network = RoutePlanner.ClusterNetwork) =>
        new(name, PowerState.Running, member, new Dictionary<string, string> { ["user.terrarium.route.web"] = route }, address)
        {
            Project = project, CreatedAt = T0.AddMinutes(-ageMinutes), Network = network,
            Subnet = IPNetwork.Parse(network == RoutePlanner.ClusterNetwork ? "10.20.0.0/24" : "10.254.0.0/24"),
            Gateway = IPAddress.Parse(network == RoutePlanner.ClusterNetwork ? "10.20.0.1" : "10.254.0.1"),
        };

    private static readonly HashSet<string> Online = ["node1", "node2", "node3"];

    [Fact]
    public void I15_a_host_belongs_to_the_project_that_claimed_it_first_with_every_path()
    {
        var claims = new Dictionary<string, string> { ["shop.example.com"] = "default" };
        var plan = RoutePlanner.Plan([
            Routed("default", "d1", "node1", "shop.example.com:80", "10.20.0.5"),
            // older instance, later declaration: the recorded claim decides, not age
            Routed("tenant", "t1", "node2", "shop.example.com:80", "10.20.0.6", ageMinutes: 600),
            Routed("tenant", "t2", "node2", "shop.example.com/api:80", "10.20.0.7"), // a path under someone else's host
            Routed("default", "d2", "node3", "shop.example.com:80", "10.20.0.8"), // same project: load-balanced
        ], Online, "node1", claims);
        Assert.Equal(["d1", "d2"], plan.Backends.Select(b => b.Route.Instance));
        Assert.Equal(["tenant/t1", "tenant/t2"], plan.Conflicts.Select(c => c.Instance.ToString()));
        Assert.All(plan.Conflicts, c => Assert.Equal("default", c.Owner));
        Assert.Empty(plan.Ownership.ToClaim);
    }

    [Fact]
    public void I15_unclaimed_hosts_go_to_the_oldest_declaring_project_and_claims_are_released_when_unused()
    {
        var claims = new Dictionary<string, string> { ["gone.example.com"] = "tenant" };
        var plan = RoutePlanner.Plan([
            Routed("default", "d1", "node1", "new.example.com:80", ageMinutes: 5),
            Routed("tenant", "t1", "node2", "new.example.com:80", "10.20.0.6", ageMinutes: 50),
            Routed("default", "d2", "node1", "gone.example.com:80", "10.20.0.9"),
        ], Online, "node1", claims);
        Assert.Equal([("new.example.com", "tenant")], plan.Ownership.ToClaim.Where(c => c.Host == "new.example.com"));
        Assert.Equal(["gone.example.com"], plan.Ownership.ToRelease);
        Assert.Equal("default", plan.Ownership.Owners["gone.example.com"]); // free again: the declaring project takes it
    }

    [Fact]
    public void I15_a_backend_on_a_member_local_bridge_is_served_only_by_its_own_member()
    {
        RoutedInstance[] instances = [Routed("default", "b1", "node2", "bridge.example.com:80", "10.254.0.109", network: "lxdbr0")];
        Assert.Empty(RoutePlanner.Plan(instances, Online, "node1").Backends);
        Assert.Empty(RoutePlanner.Plan(instances, Online, "node3").Backends);
        var own = RoutePlanner.Plan(instances, Online, "node2");
        Assert.Equal("10.254.0.109", Assert.Single(own.Backends).Address);
        var local = Assert.Single(own.LocalOnly);
        Assert.Equal(("lxdbr0", "node2"), (local.Network, local.Member));
    }

    [Theory]
    [InlineData("10.20.0.1", "host's own address")] // the gateway: the host itself
    [InlineData("10.30.0.5", "outside")] // outside terrarium-ovn's subnet
    [InlineData("127.0.0.1", "not a unicast")]
    [InlineData("169.254.1.1", "not a unicast")]
    [InlineData("224.0.0.1", "not a unicast")]
    [InlineData("0.0.0.0", "not a unicast")]
    [InlineData("10.99.0.2", "mesh")]
    [InlineData("fd00::1", "not an IPv4")]
    public void I15_an_instance_cannot_point_a_route_at_a_host(string address, string why)
    {
        var i = Routed("default", "evil", "node1", "evil.example.com:8443", address) with
        {
            Subnet = IPNetwork.Parse(address == "10.99.0.2" ? "10.99.0.0/24" : "10.20.0.0/24"),
        };
        var plan = RoutePlanner.Plan([i], Online, "node1", null, [IPNetwork.Parse("10.99.0.0/24")]);
        Assert.Empty(plan.Backends);
        Assert.Contains(why, Assert.Single(plan.Errors));
    }

    [Fact]
    public void I15_traefik_names_of_distinct_routes_never_collide() =>
        Assert.NotEqual(TraefikConfigRenderer.Id("a-b.example.com", "/"), TraefikConfigRenderer.Id("a.b-example.com", "/"));

    [Fact]
    public void I15_the_serving_nic_prefers_terrarium_ovn_and_names_a_bridge_parent()
    {
        var i = JsonSerializer.Deserialize("""
            {"name":"b1","project":"tenant","created_at":"2026-11-25T10:11:12.123456789Z","expanded_devices":{
              "eth0":{"type":"nic","nictype":"bridged","parent":"br0"},
              "eth1":{"type":"nic","network":"terrarium-ovn"}}}
            """, LxdJson.Info<Instance>())!;
        Assert.Equal(("eth1", "terrarium-ovn"), RouteSync.ServingNic(i));
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 11, 12, TimeSpan.Zero), i.CreatedAt.AddTicks(-(i.CreatedAt.Ticks % TimeSpan.TicksPerSecond)));
        i.ExpandedDevices.Remove("eth1");
        Assert.Equal(("eth0", "br0"), RouteSync.ServingNic(i));
        var routed = RouteSync.Routed(i, new Dictionary<string, Network>());
        Assert.False(routed.ClusterWide);
        Assert.Equal("tenant", routed.Project);
    }
}
