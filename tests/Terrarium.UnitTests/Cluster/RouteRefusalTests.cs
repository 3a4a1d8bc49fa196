using Terrarium.Cluster.Placement;
using Terrarium.Cluster.Config;
using Terrarium.Cluster.Routes;
using Terrarium.Cluster.Status;
using Terrarium.Operations.Routes;

namespace Terrarium.UnitTests.Cluster;

/// <summary>A refused route never reaches Traefik's file, and its report (agent log, status) stays on one line.</summary>
public class RouteRefusalTests
{
    private const string Forged = "\n2026-12-07T06:59:59.000Z routes updated (forged)";
    private static readonly HashSet<string> Online = ["node1"];

    private static RoutedInstance Instance(string name, string address, Dictionary<string, string> config, string project = "default") =>
        new(name, PowerState.Running, "node1", config, address) { Project = project };

    [Fact]
    public void The_renderer_never_renders_a_refused_route()
    {
        var plan = RoutePlanner.Plan([
            Instance("ip", "10.20.0.2", new() { ["user.terrarium.route.web"] = "10.252.0.12:80" }),
            Instance("dots", "10.20.0.3", new() { ["user.terrarium.route.web"] = "app.example.com/../etc:80" }),
            Instance("forged", "10.20.0.4", new() { ["user.terrarium.route.web"] = "app.example.com:80" + Forged }),
            Instance("name", "10.20.0.5", new() { ["user.terrarium.route.Web"] = "app.example.com:80" }),
        ], Online, "node1");
        Assert.Empty(plan.Backends);
        Assert.Equal(4, plan.Refused.Count);
        Assert.EndsWith("http: {}\n", TraefikConfigRenderer.Render(plan.Backends));
    }

    [Theory]
    [InlineData("10.252.0.12", "/", 80, "10.20.0.5")]
    [InlineData("App.example.com", "/", 80, "10.20.0.5")]
    [InlineData("app.example.com`) || Host(`evil.example.com", "/", 80, "10.20.0.5")]
    [InlineData("app.example.com", "/../etc", 80, "10.20.0.5")]
    [InlineData("app.example.com", "/", 0, "10.20.0.5")]
    [InlineData("app.example.com", "/", 80, "10.20.0.5\"\n  evil:")]
    [InlineData("app.example.com", "/", 80, "010.20.0.5")]
    [InlineData("app.example.com", "/", 80, "fd00::5")]
    public void A_backend_built_around_the_grammar_is_still_left_out(string host, string path, int port, string address)
    {
        var bad = new RouteBackend(new RouteDeclaration("c1", "web", host, path, port), address, "node1");
        var good = new RouteBackend(new RouteDeclaration("c2", "web", "ok.example.com", "/", 80), "10.20.0.6", "node1");
        var yaml = TraefikConfigRenderer.Render([bad, good]);
        Assert.Equal(TraefikConfigRenderer.Render([good]), yaml);
    }

    [Fact]
    public void A_backend_address_is_rendered_in_its_canonical_form()
    {
        var plan = RoutePlanner.Plan([Instance("c1", "10.20.0.5", new() { ["user.terrarium.route.web"] = "app.example.com:80" })], Online, "node1");
        Assert.Contains("url: \"http://10.20.0.5:80\"", TraefikConfigRenderer.Render(plan.Backends));
    }

    [Fact]
    public void A_hostile_value_gives_exactly_one_agent_log_line()
    {
        var plan = RoutePlanner.Plan([
            Instance("c1", "10.20.0.5", new() { ["user.terrarium.route.web"] = "app.example.com:80" + Forged }),
            Instance("c2", "127.0.0.1", new() { ["user.terrarium.route.web"] = "ok.example.com:80" }, project: "p\nq"),
        ], Online, "node1");
        var result = new RouteSyncResult(true, 0, 0, plan.Errors, []);
        var reported = new HashSet<string>();
        var lines = RouteReport.Lines(result, "instance-updated /1.0/instances/c1" + Forged, reported).ToList();
        Assert.Equal(3, lines.Count); // routes updated, the refusal, the unroutable address
        Assert.All(lines, l => Assert.DoesNotContain(l, c => char.IsControl(c)));
        Assert.Equal(2, lines.Count(l => l.Contains(@"\n2026-12-07T06:59:59.000Z routes updated (forged)")));
        Assert.Contains(lines, l => l.StartsWith(@"route ignored: p\nq/c2: address '127.0.0.1'", StringComparison.Ordinal));
        Assert.Empty(RouteReport.Lines(result with { Changed = false }, "resync", reported)); // each refusal is logged once
    }

    [Fact]
    public void Conflicts_and_local_routes_escape_what_came_from_lxd()
    {
        var conflict = new RouteConflict(Terrarium.Cluster.Placement.InstanceRef.Of("t\r1", "c1"), "app.example.com", "/", "own\ner");
        var local = new LocalRoute(Terrarium.Cluster.Placement.InstanceRef.Of("default", "c1"), ["app.example.com"], "br\n0", "node\u001b1");
        foreach (var s in new[] { conflict.ToString(), local.ToString() }) RouteGrammarTests.OneSentence(s);
    }

    [Fact]
    public void Status_reports_each_refused_key_once_with_a_fix()
    {
        var plan = RoutePlanner.Plan([
            Instance("c1", "10.20.0.5", new() { ["user.terrarium.route.web"] = "10.252.0.12:80", ["user.terrarium.route.Web"] = "app.example.com:80" }, project: "tenant"),
            Instance("c2", "10.20.0.6", new() { ["user.terrarium.route.web"] = "app.example.com:80" + Forged }),
        ], Online, "node1");
        var config = new SharedConfig(new ClusterSettingsRecord { MeshCidr = "10.255.54.0/24", Port = 51820, Mtu = 1420, Interface = "terrarium-wg0" },
            [new MemberRecord { Name = "node1", PublicKey = "K", MeshAddress = "10.255.54.1", Endpoint = "10.0.0.11:51820" }], [], []);
        var local = new LocalObservations(null, true, true, new Dictionary<string, int>(), new Dictionary<string, long>())
        {
            RouteRefusals = [.. plan.Refused, .. plan.Refused], // two passes' worth: still one problem per instance and key
        };
        var report = StatusAnalyzer.Analyze("node1", config, [new LxdMemberView("node1", "Online", "Fully operational", ["database"])], local, DateTimeOffset.UnixEpoch);
        var routes = report.Problems.Where(p => p.Message.Contains("user.terrarium.route.", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, routes.Count);
        Assert.All(routes, p => RouteGrammarTests.OneSentence(p.Message));
        Assert.All(routes, p => Assert.DoesNotContain(p.Fix, c => char.IsControl(c)));
        Assert.Contains(routes, p => p.Message.StartsWith("tenant/c1: 'user.terrarium.route.Web' has a bad route name", StringComparison.Ordinal) &&
                                     p.Fix.EndsWith("lxc config unset c1 'user.terrarium.route.Web' --project tenant", StringComparison.Ordinal));
        Assert.Contains(routes, p => p.Message.Contains("'10.252.0.12:80' is not a valid HOST[/PATH]:PORT: the host is an IP address", StringComparison.Ordinal) &&
                                     p.Fix.Contains("lxc config set c1 user.terrarium.route.web=HOST[/PATH]:PORT --project tenant", StringComparison.Ordinal));
    }
}
