using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Routes;

namespace Terrarium.UnitTests.Cluster;

public class RouteTests
{
    private static RoutedInstance Instance(string name, string member, string? address, string status = "Running", params (string Key, string Value)[] routes) =>
        new(name, PowerStates.Parse(status), member, routes.ToDictionary(r => $"user.terrarium.route.{r.Key}", r => r.Value), address);

    [Theory]
    [InlineData("app.example.com:80", "app.example.com", "/", 80)]
    [InlineData("App.Example.com/api/v1:8080", "app.example.com", "/api/v1", 8080)]
    [InlineData("*.example.com:443", "*.example.com", "/", 443)]
    public void T2_route_declarations_parse(string value, string host, string path, int port)
    {
        var (routes, errors) = RouteDeclaration.FromConfig("c1", new Dictionary<string, string> { ["user.terrarium.route.web"] = value, ["limits.cpu"] = "1" });
        Assert.Empty(errors);
        var r = Assert.Single(routes);
        Assert.Equal((host, path, port, "web", "c1"), (r.Host, r.PathPrefix, r.Port, r.Name, r.Instance));
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("app.example.com:0")]
    [InlineData("app.example.com:99999")]
    [InlineData("http://app.example.com:80")]
    [InlineData("app example.com:80")]
    public void T2_malformed_routes_are_reported_not_rendered(string value)
    {
        var (routes, errors) = RouteDeclaration.FromConfig("c1", new Dictionary<string, string> { ["user.terrarium.route.web"] = value });
        Assert.Empty(routes);
        Assert.Contains("HOST[/PATH]:PORT", Assert.Single(errors));
    }

    [Theory]
    [InlineData("Stopped", "RUNNING", true)] // ran when its member's daemon stopped: started again at the daemon's start
    [InlineData("Stopped", "STOPPED", false)] // stopped by its user: nothing to wait for
    [InlineData("Error", "RUNNING", true)] // LXD could not reach its member
    [InlineData("Running", "RUNNING", false)]
    public void T3_a_route_waits_on_an_online_member_while_it_has_to_start_the_instance_again(string status, string lastPower, bool waits)
    {
        var restarted = Instance("rb", "node1", null, status, ("web", "app.example.com:80")) is var i
            ? i with { Config = new Dictionary<string, string>(i.Config) { [PowerStates.LastPowerKey] = lastPower } } : null;

        var plan = RoutePlanner.Plan([restarted!], new HashSet<string> { "node1" });

        Assert.Equal(waits ? ["rb"] : [], plan.AwaitingMember.Select(x => x.Name));
    }

    [Fact]
    public void T3_only_running_or_frozen_instances_on_online_members_with_an_address_are_backends()
    {
        var plan = RoutePlanner.Plan([
            Instance("a", "node1", "10.20.0.2", routes: ("web", "app.example.com:80")),
            Instance("b", "node2", "10.20.0.3", routes: ("web", "app.example.com:80")),
            Instance("stopped", "node1", null, "Stopped", ("web", "app.example.com:80")),
            Instance("frozen", "node2", "10.20.0.6", "Frozen", ("web", "app.example.com:80")), // frozen by a snapshot or a pre-copy round
            Instance("offline", "node3", "10.20.0.9", routes: ("web", "app.example.com:80")),
            Instance("booting", "node1", null, routes: ("web", "app.example.com:80")),
            Instance("plain", "node1", "10.20.0.4"),
        ], new HashSet<string> { "node1", "node2" });
        Assert.Equal(["a", "b", "frozen"], plan.Backends.Select(b => b.Route.Instance));
        Assert.Equal(["booting"], plan.AwaitingAddress);
        Assert.Equal(["offline"], plan.AwaitingMember.Select(i => i.Name)); // the agent watches the members while a route waits on one
        Assert.Empty(plan.Errors);
    }

    [Fact]
    public void T1_T2_replicas_share_one_router_and_the_output_is_deterministic()
    {
        var plan = RoutePlanner.Plan([
            Instance("b", "node2", "10.20.0.3", routes: ("web", "app.example.com:80")),
            Instance("a", "node1", "10.20.0.2", routes: ("web", "app.example.com:80")),
            Instance("api", "node1", "10.20.0.5", routes: ("api", "app.example.com/api:9000")),
        ], new HashSet<string> { "node1", "node2" });
        var yaml = TraefikConfigRenderer.Render(plan.Backends);
        Assert.Equal(yaml, TraefikConfigRenderer.Render(plan.Backends.Reverse()));
        Assert.Contains("rule: \"Host(`app.example.com`)\"", yaml);
        Assert.Contains("rule: \"Host(`app.example.com`) && PathPrefix(`/api`)\"", yaml);
        Assert.Contains("          - url: \"http://10.20.0.2:80\"\n          - url: \"http://10.20.0.3:80\"\n", yaml);
        Assert.Contains($"    {TraefikConfigRenderer.Id("app.example.com", "/api")}:\n", yaml);
        Assert.StartsWith("terrarium-app-example-com-api-", TraefikConfigRenderer.Id("app.example.com", "/api"));
        Assert.Equal(2, yaml.Split("loadBalancer:").Length - 1);
    }

    [Fact]
    public void A_wildcard_host_is_a_host_regexp_every_traefik_v3_reads_matching_one_label_in_any_case()
    {
        var plan = RoutePlanner.Plan([Instance("w", "node1", "10.20.0.2", routes: ("web", "*.apps.example.com:80"))], new HashSet<string> { "node1" });
        var yaml = TraefikConfigRenderer.Render(plan.Backends);
        const string rendered = "rule: \"HostRegexp(`^(?i)[^.]+\\\\.apps\\\\.example\\\\.com$`)\"";
        Assert.Contains(rendered, yaml);
        Assert.DoesNotContain("Host(`*", yaml);
        // What Traefik gets once YAML has read the double-quoted string: `\\` is one backslash.
        var regexp = TraefikConfigRenderer.HostRule("*.apps.example.com").Replace("\\\\", "\\")["HostRegexp(`".Length..^2];
        var re = new System.Text.RegularExpressions.Regex(regexp);
        Assert.Matches(re, "shop.apps.example.com");
        Assert.Matches(re, "SHOP.Apps.Example.com");
        foreach (var host in new[] { "apps.example.com", "a.b.apps.example.com", "shopXapps.example.com", "shop.apps.example.com.evil.net", "shop.apps-example.com" })
            Assert.DoesNotMatch(re, host);
        Assert.Equal("Host(`app.example.com`)", TraefikConfigRenderer.HostRule("app.example.com"));
    }

    [Fact]
    public void T3_no_routes_render_an_empty_but_valid_file() =>
        Assert.EndsWith("http: {}\n", TraefikConfigRenderer.Render([]));
}
