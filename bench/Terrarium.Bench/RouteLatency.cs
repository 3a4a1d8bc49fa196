using System.Diagnostics;
using Terrarium.Cluster.Layout;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;

namespace Terrarium.Bench;

/// <summary>Route change on one instance → the new host in every node's Traefik file (agents, LXD events).</summary>
public static class RouteLatency
{
    /// <returns>p50 and p99 (ms) of a route change reaching every node's file.</returns>
    public static async Task<(double P50, double P99)> RunAsync(LabRunner lab, int changes, bool quiet = false)
    {
        var nodes = lab.Spec.NodeSpecs;
        var files = nodes.Select(n => new NodeLayout(n.TerrariumRoot).TraefikDynamicFile).ToList();
        using var lxd = lab.Client(nodes[0]);
        // On terrarium-ovn: a backend on a member-local bridge is served by its own member only.
        await lxd.LaunchInstanceAsync(new InstancesPost
        {
            Name = "bench-web", Source = new InstanceSource { Alias = LabRunner.ImageAlias },
            Config = { ["user.terrarium.route.web"] = "warmup.bench.example:80" },
            Devices = { ["eth0"] = new() { ["type"] = "nic", ["name"] = "eth0", ["network"] = Terrarium.Cluster.Ovn.OvnNetworkSettings.NetworkName } },
        }, "node2");
        await WaitAsync(files, "warmup.bench.example", TimeSpan.FromSeconds(60)); // DHCP + first render

        var allNodes = new List<double>();
        var patch = new List<double>();
        var perNode = nodes.Select(_ => new List<double>()).ToList();
        for (var i = 0; i < changes; i++)
        {
            var host = $"r{i}.bench.example";
            var watch = Stopwatch.StartNew();
            await lxd.PatchInstanceConfigAsync("bench-web", new() { ["user.terrarium.route.web"] = $"{host}:80" });
            patch.Add(watch.Elapsed.TotalMilliseconds);
            var seen = await WaitAsync(files, host, TimeSpan.FromSeconds(30), watch);
            for (var n = 0; n < seen.Length; n++) perNode[n].Add(seen[n]);
            allNodes.Add(seen.Max());
        }
        if (!quiet)
        {
            Console.WriteLine();
            Console.WriteLine($"route change -> Traefik config on all {nodes.Count} nodes ({changes} changes, milliseconds from the PATCH to the file):");
            Console.WriteLine($"  {"",-10} {"p50",8} {"p90",8} {"p99",8} {"max",8}");
            Print("all nodes", allNodes);
            for (var n = 0; n < nodes.Count; n++) Print(nodes[n].Name, perNode[n]);
            Print("(PATCH)", patch); // the LXD write itself, included in the figures above
            Console.WriteLine($"  goal: p99 < 1000 ms on all nodes -> {(Percentile(allNodes, 0.99) < 1000 ? "met" : "NOT met")}");
        }
        await lxd.SetInstanceStateAsync("bench-web", "stop", force: true);
        await lxd.DeleteInstanceAsync("bench-web");
        return (Percentile(allNodes, 0.5), Percentile(allNodes, 0.99));
    }

    private static async Task<double[]> WaitAsync(IReadOnlyList<string> files, string needle, TimeSpan timeout, Stopwatch? watch = null)
    {
        watch ??= Stopwatch.StartNew();
        var seen = new double[files.Count];
        var pending = Enumerable.Range(0, files.Count).ToHashSet();
        while (pending.Count > 0)
        {
            foreach (var n in pending.ToList())
                if (File.Exists(files[n]) && (await File.ReadAllTextAsync(files[n])).Contains(needle))
                {
                    seen[n] = watch.Elapsed.TotalMilliseconds;
                    pending.Remove(n);
                }
            if (watch.Elapsed > timeout) throw new TimeoutException($"{needle} did not reach every node in {timeout.TotalSeconds}s.");
            await Task.Delay(2);
        }
        return seen;
    }

    private static void Print(string label, List<double> ms) =>
        Console.WriteLine($"  {label,-10} {Percentile(ms, 0.5),8:F0} {Percentile(ms, 0.9),8:F0} {Percentile(ms, 0.99),8:F0} {ms.Max(),8:F0}");

    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
    }
}
