using System.Diagnostics;
using Terrarium.Lab.Runtime;
using Terrarium.Lab.Topology;
using Terrarium.Lxd.Wire;

namespace Terrarium.Bench;

/// <summary>
/// What a cluster of N members costs, for N = 3, 5, 7, 9 on this machine: lab up, the last join,
/// `cluster status`, a route change reaching every node's Traefik file, and an evacuation by terrariumctl versus
/// LXD's own `lxc cluster evacuate` on the same lab in alternating rounds. Prints a markdown table.
/// </summary>
public static class ScaleCost
{
    public static async Task<int> RunAsync(string binary, IReadOnlyList<int> sizes, int routeChanges, int instances, int rounds)
    {
        var rows = new List<string>();
        foreach (var n in sizes)
        {
            DateTime? previous = null;
            double lastJoin = 0;
            var lab = new LabRunner(LabSpec.Create("trmscale", n, "/tmp/terrarium-scale", "10.253.71.0/24"), m =>
            {
                Console.Error.WriteLine($"[lab {n}] {m}");
                if (!m.EndsWith(": cluster initialised", StringComparison.Ordinal) && !m.EndsWith(": joined", StringComparison.Ordinal)) return;
                var now = DateTime.UtcNow;
                if (previous is { } p && m.EndsWith(": joined", StringComparison.Ordinal)) lastJoin = (now - p).TotalSeconds; // invite + join + agent start
                previous = now;
            }, [binary]);
            await lab.DownAsync();
            var clock = Stopwatch.StartNew();
            await lab.UpAsync(LabMode.Terrarium);
            var up = clock.Elapsed.TotalSeconds;
            try
            {
                var memoryPerNode = MemoryPerNodeMiB(n);
                await Task.Delay(TimeSpan.FromSeconds(20)); // at rest: the agents finish growing OVN's raft first
                var status = new List<double>();
                for (var i = 0; i < 7; i++)
                {
                    clock.Restart();
                    var r = await lab.TerrariumctlAsync(lab.Spec.NodeSpecs[0], "--output", "json", "cluster", "status");
                    if (r.ExitCode is not (0 or 3 or 4)) throw new InvalidOperationException($"status failed: {r.StdErr}");
                    status.Add(clock.Elapsed.TotalMilliseconds);
                }
                var (p50, p99) = await RouteLatency.RunAsync(lab, routeChanges);
                // --instances 0 leaves the evacuation race out (a route-only measurement).
                var (ours, theirs) = instances > 0 ? await EvacuationRaceAsync(lab, instances, rounds) : (double.NaN, double.NaN);
                var evacuation = instances > 0 ? $"{ours:F1} s | {theirs:F1} s | {theirs / ours:F2}x" : "— | — | —";
                rows.Add($"| {n} | {up:F0} s | {lastJoin:F1} s | {RouteLatency.Percentile(status, 0.5):F0} ms | {p50:F0} / {p99:F0} ms | " +
                         $"{evacuation} | {memoryPerNode} MiB |");
                Console.WriteLine(rows[^1]);
            }
            finally
            {
                await lab.DownAsync();
            }
        }
        Console.WriteLine();
        Console.WriteLine($"| N | lab up | last join | status (p50 of 7) | route → every Traefik file, p50 / p99 ({routeChanges} changes) | " +
                          $"evacuate {instances}: terrariumctl | lxc cluster evacuate | ratio | memory per node |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows) Console.WriteLine(row);
        return 0;
    }

    /// <summary>Mean seconds per evacuation of node2 (then restore, untimed) for each tool, rounds alternating.</summary>
    private static async Task<(double Ours, double Theirs)> EvacuationRaceAsync(LabRunner lab, int instances, int rounds)
    {
        var node1 = lab.Spec.NodeSpecs[0];
        using var lxd = lab.Client(node1);
        var names = Enumerable.Range(1, instances).Select(i => $"scale-ev{i}").ToList();
        foreach (var name in names)
            await lxd.LaunchInstanceAsync(new InstancesPost { Name = name, Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, "node2");
        var ours = new List<double>();
        var theirs = new List<double>();
        var clock = new Stopwatch();
        for (var round = 0; round < rounds; round++)
        {
            clock.Restart();
            Checked(await lab.TerrariumctlAsync(node1, "cluster", "evacuate", "node2", "--yes"));
            ours.Add(clock.Elapsed.TotalSeconds);
            Checked(await lab.TerrariumctlAsync(node1, "cluster", "restore", "node2", "--yes"));
            clock.Restart();
            Checked(await lab.ExecAsync(node1, ["lxc", "cluster", "evacuate", "node2", "--force"], TimeSpan.FromMinutes(10)));
            theirs.Add(clock.Elapsed.TotalSeconds);
            Checked(await lab.ExecAsync(node1, ["lxc", "cluster", "restore", "node2", "--force"], TimeSpan.FromMinutes(10)));
        }
        foreach (var name in names)
        {
            await lxd.SetInstanceStateAsync(name, "stop", force: true);
            await lxd.DeleteInstanceAsync(name);
        }
        return (ours.Average(), theirs.Average());
    }

    private static void Checked(Terrarium.Host.Processes.ProcessResult r)
    {
        if (!r.Ok) throw new InvalidOperationException($"exit {r.ExitCode}: {r.StdErr}");
    }

    /// <summary>Used memory of the whole machine over the lab's nodes (lab daemons dominate it here).</summary>
    private static long MemoryPerNodeMiB(int nodes)
    {
        var info = File.ReadAllLines("/proc/meminfo").ToDictionary(l => l.Split(':')[0], l => long.Parse(l.Split(':')[1].Trim().Split(' ')[0]));
        var usedKiB = info["MemTotal"] - info["MemAvailable"];
        return usedKiB / 1024 / nodes;
    }
}
