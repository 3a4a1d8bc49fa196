using System.Diagnostics;
using Terrarium.Lab.Runtime;
using Terrarium.Lxd.Wire;

namespace Terrarium.Bench;

/// <summary>`cluster evacuate` with --parallel 1 (one move at a time) versus the default --parallel 3.</summary>
public static class EvacuationTime
{
    public static async Task RunAsync(LabRunner lab, int instances)
    {
        var node1 = lab.Spec.NodeSpecs[0];
        using var lxd = lab.Client(node1);
        var names = Enumerable.Range(1, instances).Select(i => $"bench-ev{i}").ToList();
        foreach (var n in names)
            await lxd.LaunchInstanceAsync(new InstancesPost { Name = n, Source = new InstanceSource { Alias = LabRunner.ImageAlias } }, "node2");

        Console.WriteLine();
        Console.WriteLine($"evacuate node2 with {instances} running instances (stop, move, start each; 2 vCPU lab):");
        var results = new List<(int Parallel, double Seconds)>();
        foreach (var parallel in new[] { 1, 3 })
        {
            var watch = Stopwatch.StartNew();
            var r = await lab.TerrariumctlAsync(node1, "cluster", "evacuate", "node2", "--parallel", parallel.ToString(), "--yes");
            if (!r.Ok) throw new InvalidOperationException($"evacuate failed: {r.StdErr}");
            results.Add((parallel, watch.Elapsed.TotalSeconds));
            Console.WriteLine($"  --parallel {parallel}: {watch.Elapsed.TotalSeconds,6:F1} s ({watch.Elapsed.TotalSeconds / instances:F1} s per instance)");
            var restore = await lab.TerrariumctlAsync(node1, "cluster", "restore", "node2", "--yes");
            if (!restore.Ok) throw new InvalidOperationException($"restore failed: {restore.StdErr}");
        }
        Console.WriteLine($"  speed-up of --parallel 3 over sequential moves: {results[0].Seconds / results[1].Seconds:F2}x");
        foreach (var n in names)
        {
            await lxd.SetInstanceStateAsync(n, "stop", force: true);
            await lxd.DeleteInstanceAsync(n);
        }
    }
}
