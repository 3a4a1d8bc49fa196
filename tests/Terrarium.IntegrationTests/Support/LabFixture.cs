using Terrarium.Lab.Runtime;
using Terrarium.Lab.Skew;
using Terrarium.Lab.Topology;
using Terrarium.Lxd;
using Terrarium.Tests.Shared;

namespace Terrarium.IntegrationTests.Support;

/// <summary>
/// A real lab for a test class: network namespaces plus one real LXD daemon per node. Each fixture kind
/// has its own prefix, underlay and folder, so it never collides with a developer's `lab up`.
/// </summary>
public abstract class LabFixture(string prefix, int nodes, int underlayOctet, LabMode mode, LabServer server = LabServer.Lxd,
    LxdBehaviour? behaviour = null) : IAsyncLifetime
{
    /// <summary>The ordered steps of the scenario that uses this lab.</summary>
    public ScenarioSteps Steps { get; } = new();

    public LabRunner Lab { get; } = new(
        LabSpec.Create(prefix, nodes, Path.Join(Path.GetTempPath(), $"terrarium-it-{prefix}"), $"10.253.{underlayOctet}.0/24") with { Server = server, Behaviour = behaviour },
        m => Console.Error.WriteLine($"[{prefix}] {m}"), Terrariumctl.Command);

    public LabNodeSpec Node(int i) => Lab.Spec.NodeSpecs[i - 1];

    /// <summary>
    /// The last lines of every node's LXD and agent logs, and the errors of every instance's liblxc log (a failed start
    /// says only "forkstart … exit status 1"; why is in that log): a failed scenario step prints them.
    /// </summary>
    public string RecentLogs(int lines = 25) => string.Join('\n', Lab.Spec.NodeSpecs.SelectMany(n => new[] { n.LxdLog, n.AgentLog }
        .Where(File.Exists).Select(f => $"== {n.Name} {Path.GetFileName(f)} ==\n{string.Join('\n', Tail(f, lines))}")
        .Concat(InstanceLogs(n).Select(f => (File: f, Errors: Errors(f))).Where(l => l.Errors.Count > 0)
            .Select(l => $"== {n.Name} {Path.GetFileName(Path.GetDirectoryName(l.File))} lxc.log errors ==\n{string.Join('\n', l.Errors)}"))));

    private static IEnumerable<string> InstanceLogs(LabNodeSpec n) =>
        Directory.Exists(Path.Join(n.LxdDir, "logs")) ? Directory.EnumerateFiles(Path.Join(n.LxdDir, "logs"), "lxc.log", SearchOption.AllDirectories) : [];

    private static List<string> Errors(string file) => Tail(file, 200).Where(l => l.Contains(" ERROR ", StringComparison.Ordinal)).TakeLast(8).ToList();

    /// <summary>Copies every node's logs out of the lab before it is torn down; returns the folder.</summary>
    public string KeepLogs()
    {
        var dir = Path.Join(Path.GetTempPath(), $"terrarium-failed-{Lab.Spec.Prefix}-{DateTime.UtcNow:HHmmss}");
        Directory.CreateDirectory(dir);
        foreach (var n in Lab.Spec.NodeSpecs)
        {
            foreach (var f in new[] { n.LxdLog, n.AgentLog }.Where(File.Exists))
                File.Copy(f, Path.Join(dir, $"{n.Name}-{Path.GetFileName(f)}"), overwrite: true);
            foreach (var f in InstanceLogs(n))
                File.Copy(f, Path.Join(dir, $"{n.Name}-{Path.GetFileName(Path.GetDirectoryName(f))}-lxc.log"), overwrite: true);
        }
        return dir;
    }

    private static IEnumerable<string> Tail(string file, int lines)
    {
        try { return File.ReadLines(file).TakeLast(lines).ToList(); }
        catch (IOException e) { return [$"(unreadable: {e.Message})"]; }
    }

    public LxdClient Client(int i) => Lab.Client(Node(i));

    /// <summary>terrariumctl on node <paramref name="node"/> (its root, socket and tools).</summary>
    public Task<Terrarium.Host.Processes.ProcessResult> Ctl(int node, params string[] args) => Lab.TerrariumctlAsync(Node(node), args);

    /// <summary>A command inside node <paramref name="node"/>'s namespace.</summary>
    public Task<Terrarium.Host.Processes.ProcessResult> Exec(int node, params string[] command) => Lab.ExecAsync(Node(node), command, TimeSpan.FromSeconds(60));

    /// <summary>
    /// `cluster status -o json` on node <paramref name="node"/>; a failure shows its stderr. By default a status whose
    /// LXD database did not answer within status's bound (a loaded machine: it then shows Terrarium's records, no invites)
    /// is asked again for up to 60 s, since the steps assert what the database holds; <paramref name="fromDatabase"/>
    /// false takes the first answer (a step that times status itself).
    /// </summary>
    public async Task<System.Text.Json.JsonDocument> StatusAsync(int node, bool fromDatabase = true)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var r = await Ctl(node, "--output", "json", "cluster", "status");
            Terrarium.Tests.Shared.ProcessAssert.Status(r);
            var status = System.Text.Json.JsonDocument.Parse(r.StdOut);
            if (!fromDatabase || DateTime.UtcNow > deadline ||
                !status.RootElement.TryGetProperty("lxd_members_known", out var known) || known.GetBoolean()) return status;
            status.Dispose();
            Console.Error.WriteLine($"[status] node{node}: LXD's database did not answer within status's bound; asking again");
        }
    }

    /// <summary>
    /// Stops node <paramref name="node"/>'s agent until the handle's <see cref="AgentAway.BackAsync"/> or its disposal:
    /// a step that fails while an agent is away must not leave it away for the steps after it.
    /// </summary>
    public async Task<AgentAway> AgentAwayAsync(int node)
    {
        await Lab.StopAgentAsync(Node(node));
        return new AgentAway(() => Lab.StartAgentAsync(Node(node)));
    }

    public sealed class AgentAway(Func<Task> start) : IAsyncDisposable
    {
        private bool _back;

        public async Task BackAsync()
        {
            if (_back) return;
            _back = true;
            await start();
        }

        public async ValueTask DisposeAsync() => await BackAsync();
    }

    public async Task InitializeAsync()
    {
        Steps.Diagnose = () => $"(every node's whole logs kept in {KeepLogs()})\n{RecentLogs()}";
        await Lab.DownAsync(); // leftovers of an interrupted earlier run
        await Lab.UpAsync(mode);
    }

    public Task DisposeAsync() => Lab.DownAsync();
}

public sealed class StandaloneLab() : LabFixture("trmits", 2, 61, LabMode.Standalone);

public sealed class ClusteredLab() : LabFixture("trmitc", 2, 62, LabMode.LxdCluster);
