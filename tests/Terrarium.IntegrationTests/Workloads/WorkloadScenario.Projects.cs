using System.Text.Json;
using Terrarium.Cluster.Ovn;
using Terrarium.IntegrationTests.Support;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;
using Terrarium.Operations.Routes;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Workloads;

/// <summary>
/// Projects on the same 3-node lab: workloads in three projects — default, `customer` (plain) and `tenant`
/// (restricted to the cluster group tenant-hw = node2, node3) — through move, evacuate/restore, status, routes and
/// remove --move. These steps run last: S09 (on LXD: WorkloadScenario.Removal.cs) removes node3.
/// </summary>
public abstract partial class WorkloadSteps
{
    protected const string Tenant = "tenant", Customer = "customer";

    private async Task LaunchInAsync(string project, string name, string member, Dictionary<string, string>? config = null, bool start = true, bool onOvn = false)
    {
        using var lxd = lab.Client(1);
        var body = new InstancesPost { Name = name, Source = new InstanceSource { Alias = LabRunner.ImageAlias }, Config = config ?? [] };
        if (onOvn) body.Devices["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = OvnNetworkSettings.NetworkName };
        if (start) await lxd.LaunchInstanceAsync(body, member, project: project);
        else await lxd.CreateInstanceAsync(body, member, project: project);
    }

    protected async Task<string> LocationAsync(string project, string name)
    {
        using var lxd = lab.Client(1);
        return (await lxd.GetInstanceAsync(name, project)).Location;
    }

    [Fact]
    [Needs]
    public Task S07_I15_move_evacuate_restore_and_status_see_every_project_and_respect_its_restrictions() => lab.Steps.RunAsync(async () =>
    {
        // Projects share the default project's profiles, images and networks, as `lxc project create` users set them up.
        var shared = new[] { "-c", "features.profiles=false", "-c", "features.images=false", "-c", "features.networks=false" };
        MeshLab.AssertOk(await lab.Exec(1, [lab.Lab.Cli, "project", "create", Customer, .. shared]));
        // Incus checks that a project's restricted.cluster.groups exist: the group comes first.
        MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "cluster", "group", "create", "tenant-hw"));
        foreach (var member in new[] { "node2", "node3" })
            MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "cluster", "group", "assign", member, "default,tenant-hw"));
        // LXD: a restricted project needs its own profiles.
        MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "project", "create", Tenant, "-c", "features.profiles=true", "-c", "features.images=false",
            "-c", "features.networks=false", "-c", "restricted=true", "-c", "restricted.cluster.groups=tenant-hw"));
        MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "profile", "device", "add", "default", "root", "disk", "path=/", "pool=default", "--project", Tenant));
        MeshLab.AssertOk(await lab.Exec(1, lab.Lab.Cli, "profile", "device", "add", "default", "eth0", "nic", "network=lxdbr0", "name=eth0", "--project", Tenant));

        await LaunchAsync("d1", "node2");
        await LaunchInAsync(Tenant, "t1", "node2");
        await LaunchInAsync(Customer, "c1", "node2", start: false);
        await LaunchAsync("dup", "node1", start: false);
        await LaunchInAsync(Customer, "dup", "node1", start: false);

        using (var status = await lab.StatusAsync(1))
            Assert.Equal(3, status.RootElement.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "node2").GetProperty("instances").GetInt32());

        // move: any project by a unique name, --project for a name several projects use; the project's groups bind.
        var outside = await lab.Ctl(1, "cluster", "move", "t1", "node1");
        ProcessAssert.Exit(2, outside);
        Assert.Contains("restricted.cluster.groups", outside.StdErr);
        Assert.Equal("node2", await LocationAsync(Tenant, "t1"));
        MeshLab.AssertOk(await lab.Ctl(1, "cluster", "move", "t1", "node3"));
        Assert.Equal("node3", await LocationAsync(Tenant, "t1"));
        MeshLab.AssertOk(await lab.Ctl(1, "cluster", "move", "t1", "node2", "--project", Tenant));
        var ambiguous = await lab.Ctl(1, "cluster", "move", "dup", "node3");
        ProcessAssert.Exit(2, ambiguous);
        Assert.Contains("customer, default", ambiguous.StdErr);
        MeshLab.AssertOk(await lab.Ctl(1, "cluster", "move", "dup", "node3", "--project", Customer));
        Assert.Equal("node3", await LocationAsync(Customer, "dup"));
        Assert.Equal("node1", await LocationAsync("default", "dup"));
        foreach (var bad in new[] { "../x", "a/b", "" })
            ProcessAssert.Exit(2, await lab.Ctl(1, "cluster", "move", "dup", "node3", "--project", bad));

        // evacuate plans, moves and reports every project; tenant's instance may only go to node3.
        var evacuated = await lab.Ctl(1, "--output", "json", "cluster", "evacuate", "node2", "--yes");
        MeshLab.AssertOk(evacuated);
        using (var json = JsonDocument.Parse(evacuated.StdOut))
        {
            var plan = json.RootElement.GetProperty("plan").EnumerateArray()
                .ToDictionary(p => $"{p.GetProperty("project").GetString()}/{p.GetProperty("instance").GetString()}", p => p.GetProperty("target").GetString());
            Assert.Equal(["customer/c1", "default/d1", "tenant/t1"], plan.Keys.Order());
            Assert.Equal("node3", plan["tenant/t1"]);
            Assert.Equal(3, json.RootElement.GetProperty("moves").EnumerateArray().Count(m => m.GetProperty("ok").GetBoolean()));
        }
        using (var lxd = lab.Client(1))
            Assert.DoesNotContain(await lxd.GetAllInstancesAsync(), i => i.Location == "node2");

        var restored = await lab.Ctl(3, "--output", "json", "cluster", "restore", "node2", "--yes");
        MeshLab.AssertOk(restored);
        using (var json = JsonDocument.Parse(restored.StdOut))
            Assert.Equal(["customer/c1", "default/d1", "tenant/t1"], json.RootElement.GetProperty("returned").EnumerateArray()
                .Select(r => $"{r.GetProperty("project").GetString()}/{r.GetProperty("instance").GetString()}").Order());
        Assert.Equal("node2", await LocationAsync(Tenant, "t1"));
        Assert.Equal("node2", await LocationAsync(Customer, "c1"));
    });

    [Fact]
    [Needs]
    public Task S08_I15_a_host_belongs_to_the_first_project_and_a_bridge_backend_is_served_only_where_it_runs() => lab.Steps.RunAsync(async () =>
    {
        await LaunchInAsync(Tenant, "tweb", "node2", new() { ["user.terrarium.route.web"] = "owned.example.com:8080" }, onOvn: true);
        await AllNodesAsync(text => text.Contains("Host(`owned.example.com`)") && text.Contains("http://"), "tenant's route on every node", 60);

        // default declares the same host, and a path under it, later: neither is served; status and the agent say why.
        await LaunchInAsync("default", "dweb", "node1", new() { ["user.terrarium.route.web"] = "owned.example.com:8080", ["user.terrarium.route.api"] = "owned.example.com/api:8080" },
            onOvn: true);
        using var lxd = lab.Client(1);
        var dweb = await AddressAsync("dweb");
        await MeshLab.EventuallyAsync(async () =>
        {
            using var status = await lab.StatusAsync(2);
            return Problems(status).Count(p => p.Contains("which belongs to project tenant")) == 2;
        }, TimeSpan.FromSeconds(30), "status reports both conflicting routes of dweb");
        for (var n = 1; n <= 3; n++)
        {
            var text = File.ReadAllText(lab.TraefikFile(n));
            Assert.DoesNotContain(dweb, text);
            Assert.DoesNotContain("PathPrefix(`/api`)", text);
        }
        await MeshLab.EventuallyAsync(() => Task.FromResult(File.ReadAllText(lab.Node(1).AgentLog).Contains("route conflict: dweb: owned.example.com/api is on host owned.example.com, which belongs to project tenant")),
            TimeSpan.FromSeconds(30), "node1's agent logs the conflict");

        // A container on lxdbr0 (every member has the same bridge subnet): only its own member's Traefik points at it.
        await LaunchAsync("bweb", "node2", new() { ["user.terrarium.route.web"] = "bridge.example.com:80" });
        var bridgeAddress = await AddressAsync("bweb");
        var file2 = lab.TraefikFile(2);
        await MeshLab.EventuallyAsync(() => Task.FromResult(File.ReadAllText(file2).Contains($"http://{bridgeAddress}:80")), TimeSpan.FromSeconds(30), "node2 serves bweb");
        foreach (var n in new[] { 1, 3 })
            Assert.DoesNotContain("bridge.example.com", File.ReadAllText(lab.TraefikFile(n)));
        using (var status = await lab.StatusAsync(1))
        {
            var problem = status.RootElement.GetProperty("problems").EnumerateArray().Single(p => p.GetProperty("message").GetString()!.Contains("bweb routes"));
            Assert.Contains("only node2 serves it", problem.GetProperty("message").GetString());
            Assert.Contains("network=terrarium-ovn", problem.GetProperty("fix").GetString());
        }

        // The owner drops its route: the host is free, and default's instance takes it over.
        await lxd.PatchInstanceConfigAsync("tweb", new() { ["user.terrarium.route.web"] = "other.example.com:8080" }, project: Tenant);
        await AllNodesAsync(text => text.Contains($"http://{dweb}:8080") && text.Contains("PathPrefix(`/api`)"), "default's routes once tenant released the host", 60);
        foreach (var (project, name) in new[] { (Tenant, "tweb"), ("default", "dweb"), ("default", "bweb") })
        {
            await lxd.SetInstanceStateAsync(name, "stop", force: true, project: project);
            await lxd.DeleteInstanceAsync(name, project: project);
        }
    });

    [Fact]
    [Needs(nameof(S07_I15_move_evacuate_restore_and_status_see_every_project_and_respect_its_restrictions))]
    public Task S08b_T1_X1_hostile_routes_from_a_restricted_project_are_refused_never_rendered_and_never_forge_a_log_line() => lab.Steps.RunAsync(async () =>
    {
        await LaunchInAsync(Tenant, "hweb", "node2", new() { ["user.terrarium.route.web"] = "hostile-ok.example.com:8080" }, onOvn: true);
        await AllNodesAsync(text => text.Contains("Host(`hostile-ok.example.com`)") && text.Contains("http://"), "the tenant's valid route on every node", 60);
        var before = Enumerable.Range(1, 3).Select(n => File.ReadAllText(lab.TraefikFile(n))).ToList();
        const string Forged = "2026-12-07T06:59:59.000Z routes updated (forged-by-tenant): 0 route(s), 0 backend(s)";
        var hostile = new Dictionary<string, string>
        {
            ["user.terrarium.route.ip"] = $"{lab.Node(2).Address}:8080", // a member's own address: every request sent to it by IP
            ["user.terrarium.route.mesh"] = "10.255.54.1:8080",
            ["user.terrarium.route.inj"] = $"x\n{Forged}\ny:1",
            ["user.terrarium.route.tick"] = "a.example.com`) || Host(`evil.example.com:8080",
            ["user.terrarium.route.climb"] = "climb.example.com/../etc:8080",
            ["user.terrarium.route.long"] = $"{string.Join('.', Enumerable.Repeat(new string('a', 63), 5))}:8080",
        };
        using var lxd = lab.Client(1);
        await lxd.PatchInstanceConfigAsync("hweb", hostile, project: Tenant);
        await MeshLab.EventuallyAsync(async () =>
        {
            using var status = await lab.StatusAsync(1);
            return Problems(status).Count(p => p.Contains("hweb") && (p.Contains("is not a valid HOST[/PATH]:PORT") || p.Contains("bad route name"))) == hostile.Count;
        }, TimeSpan.FromSeconds(30), "status reports each hostile route once");
        MeshLab.AssertOk(await lab.Ctl(1, "reconfigure")); // one more full pass on node1: still nothing rendered
        for (var n = 1; n <= 3; n++)
        {
            Assert.Equal(before[n - 1], File.ReadAllText(lab.TraefikFile(n)));
            var lines = File.ReadAllLines(lab.Node(n).AgentLog);
            Assert.DoesNotContain(lines, l => l.StartsWith("2026-12-07T06:59:59.000Z", StringComparison.Ordinal) || l.StartsWith("y:1", StringComparison.Ordinal));
            Assert.All(lines, l => Assert.DoesNotContain(l, c => char.IsControl(c) && c != '\t'));
        }
        await lxd.SetInstanceStateAsync("hweb", "stop", force: true, project: Tenant);
        await lxd.DeleteInstanceAsync("hweb", project: Tenant);
    });

    private static List<string> Problems(JsonDocument status) =>
        status.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("message").GetString()!).ToList();
}
