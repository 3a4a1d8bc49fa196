using System.Net;
using Terrarium.Cli.Commands;
using Terrarium.Cli.Output;
using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Validation;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Routes;

namespace Terrarium.UnitTests.Operations;

/// <summary>`route list|set|unset`: the rows come from the planner's own rules; set and unset judge with the grammar first.</summary>
public class RouteListingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<string> Online = ["node1", "node2", "node3"];

    private static RoutedInstance Routed(string project, string name, string member, Dictionary<string, string> routes, string? address,
        string network = RoutePlanner.ClusterNetwork, string status = "Running", int ageMinutes = 0) =>
        new(name, PowerStates.Parse(status), member, routes.ToDictionary(r => RouteDeclaration.KeyPrefix + r.Key, r => r.Value), address)
        {
            Project = project, CreatedAt = T0.AddMinutes(-ageMinutes), Network = network,
            Subnet = IPNetwork.Parse(network == RoutePlanner.ClusterNetwork ? "10.20.0.0/24" : "10.254.0.0/24"),
            Gateway = IPAddress.Parse(network == RoutePlanner.ClusterNetwork ? "10.20.0.1" : "10.254.0.1"),
        };

    private static List<RouteRow> Sample() => RouteListing.Rows(
        [
            Routed("default", "web1", "node1", new() { ["web"] = "app.example.com:8080", ["api"] = "app.example.com/api:9000" }, "10.20.0.5", ageMinutes: 60),
            Routed("default", "local1", "node2", new() { ["web"] = "local.example.com:80" }, "10.254.0.7", network: "lxdbr0"),
            Routed("default", "stopped1", "node3", new() { ["web"] = "later.example.com:80" }, null, status: "Stopped"),
            Routed("tenant", "grab", "node3", new() { ["web"] = "app.example.com/admin:80", ["bad"] = "10.0.0.1:80", ["Bad!"] = "x.example.com:80" }, "10.20.0.9"),
        ], Online, new Dictionary<string, string> { ["app.example.com"] = "default" });

    [Fact]
    public void Ovn_backends_are_served_by_every_online_member_and_bridge_backends_by_their_own()
    {
        var rows = Sample();
        var web = rows.Single(r => r is { Instance: "web1", Name: "web" });
        Assert.Equal(("app.example.com", "/", "web", "10.20.0.5:8080", RouteListing.Ok), (web.Host, web.Path, web.Entry, web.Backend, web.State));
        Assert.Equal(["node1", "node2", "node3"], web.ServedBy);
        Assert.Equal("/api", rows.Single(r => r is { Instance: "web1", Name: "api" }).Path);

        var local = rows.Single(r => r.Instance == "local1");
        Assert.Equal(("10.254.0.7:80", RouteListing.Ok), (local.Backend, local.State));
        Assert.Equal(["node2"], local.ServedBy);

        var stopped = rows.Single(r => r.Instance == "stopped1");
        Assert.Equal((null, RouteListing.Ok), (stopped.Backend, stopped.State));
        Assert.Empty(stopped.ServedBy);
    }

    [Fact]
    public void Conflicts_and_refusals_say_why_in_the_planners_and_the_grammars_words()
    {
        var rows = Sample().Where(r => r.Project == "tenant").ToList();
        Assert.Equal(["Bad!", "bad", "web"], rows.Select(r => r.Name));
        var conflict = rows.Single(r => r.Name == "web");
        Assert.Equal((RouteListing.Conflict, "host app.example.com belongs to project default"), (conflict.State, conflict.Reason));
        Assert.Null(conflict.Backend);
        Assert.Empty(conflict.ServedBy);
        var ip = rows.Single(r => r.Name == "bad");
        Assert.Equal(RouteListing.Refused, ip.State);
        Assert.Equal((null, null), (ip.Host, ip.Path));
        Assert.StartsWith("'10.0.0.1:80' is not HOST[/PATH]:PORT: the host is an IP address", ip.Reason);
        Assert.Equal(RouteRefusal.NameRule, rows.Single(r => r.Name == "Bad!").Reason);
    }

    [Fact]
    public void The_table_has_one_row_per_route_and_escapes_what_an_instance_wrote()
    {
        var rows = RouteListing.Rows([Routed("default", "w", "node1", new() { ["x\u001b"] = "a.example.com:80", ["web"] = "a.example.com:80" }, "10.20.0.5")],
            Online, new Dictionary<string, string>());
        var text = TableWriter.Render(RouteCommands.Table(rows));
        Assert.Equal("""
            HOST           PATH  ENTRY  INSTANCE   NAME     BACKEND       SERVED BY          STATE
            a.example.com  /     web    default/w  web      10.20.0.5:80  node1,node2,node3  ok
            -              -     web    default/w  x\u001b  -             -                  refused: NAME must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit

            """.Replace("\r", ""), text);
        Assert.DoesNotContain("\u001b", text);
        Assert.Equal("HOST,PATH,ENTRY,INSTANCE,NAME,BACKEND,SERVED BY,STATE\na.example.com,/,web,default/w,web,10.20.0.5:80,\"node1,node2,node3\",ok\n",
            CsvWriter.Render(RouteCommands.Table(rows)).Split('\n').Take(2).Aggregate("", (a, l) => a + l + "\n"));
    }

    [Fact]
    public async Task List_reads_every_project_members_networks_claims_and_the_addresses_of_running_routed_instances()
    {
        var lxd = new InMemoryLxd();
        lxd.Members.AddRange([("node1", "Online", true), ("node2", "Online", true), ("node3", "Offline", true)]);
        lxd.Instances.Add((OnOvn("web", "node1", new() { ["user.terrarium.route.web"] = "web.example:80" }), WithAddress("10.20.0.5")));
        lxd.Instances.Add((OnOvn("plain", "node2", []), null));
        var rows = await RouteListing.ListAsync(lxd, [], CancellationToken.None);
        var row = Assert.Single(rows);
        Assert.Equal(("web.example", "10.20.0.5:80"), (row.Host, row.Backend));
        Assert.Equal(["node1", "node2"], row.ServedBy);
        Assert.DoesNotContain("state plain", lxd.InstanceReads);
    }

    [Theory]
    [InlineData("web", "10.0.0.1:80", "'10.0.0.1:80' is not a valid HOST[/PATH]:PORT (e.g. app.example.com/api:8080): the host is an IP address")]
    [InlineData("web", "app.example.com/../x:80", "the path contains a '.' or '..' segment.")]
    [InlineData("web", "app.example.com", "it has no :PORT.")]
    [InlineData("Web", "app.example.com:80", "'Web' is a bad route name: NAME must be 1-63 lower-case letters")]
    public async Task Set_refuses_a_bad_name_or_value_in_one_sentence_before_LXD_is_asked(string name, string value, string sentence)
    {
        var lxd = new InMemoryLxd();
        lxd.Instances.Add((OnOvn("web", "node1", []), null));
        var e = await Assert.ThrowsAsync<InputException>(() => RouteEdit.SetAsync(lxd, InstanceRef.Of(null, "web"), name, value, CancellationToken.None));
        Assert.Contains(sentence, e.Message);
        Assert.EndsWith(".", e.Message);
        Assert.Empty(lxd.Instances[0].Instance.Config);
    }

    [Fact]
    public async Task Set_and_unset_write_and_remove_the_one_key()
    {
        var lxd = new InMemoryLxd();
        lxd.Instances.Add((OnOvn("web", "node1", new() { ["limits.cpu"] = "2" }), null));
        var web = InstanceRef.Of(null, "web");
        await RouteEdit.SetAsync(lxd, web, "api", "app.example.com/api:9000", CancellationToken.None);
        Assert.Equal("app.example.com/api:9000", lxd.Instances[0].Instance.Config["user.terrarium.route.api"]);
        Assert.True(await RouteEdit.UnsetAsync(lxd, web, "api", CancellationToken.None));
        Assert.Equal(["limits.cpu"], lxd.Instances[0].Instance.Config.Keys);
        Assert.False(await RouteEdit.UnsetAsync(lxd, web, "api", CancellationToken.None));
    }

    private static Instance OnOvn(string name, string member, Dictionary<string, string> config) => new()
    {
        Name = name, Project = "default", Status = "Running", Location = member, Config = config, CreatedAt = DateTimeOffset.UnixEpoch,
        ExpandedDevices = { ["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = "terrarium-ovn" } },
    };

    private static InstanceState WithAddress(string address) => new()
    {
        Status = "Running", Pid = 100,
        Network = new() { ["eth0"] = new InstanceNetworkState { Addresses = [new InstanceAddress { Family = "inet", Scope = "global", Address = address }] } },
    };
}
