using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;

namespace Terrarium.Operations.Workloads;

/// <summary>Reads what P-1/P-2 need from LXD: which members may receive instances and how busy they are.</summary>
public static class PlacementInputs
{
    /// <summary>Online, non-evacuated members other than <paramref name="excluded"/>, with instance counts and memory use.</summary>
    public static async Task<List<PlacementTarget>> TargetsAsync(LxdClient lxd, IReadOnlyList<ClusterMember> members,
        IReadOnlyList<Instance> instances, IEnumerable<string> excluded, CancellationToken ct)
    {
        var skip = excluded.ToHashSet();
        var targets = new List<PlacementTarget>();
        foreach (var m in members.Where(m => m.Status == "Online" && !skip.Contains(m.ServerName)))
        {
            long memory;
            try { memory = (await lxd.GetMemoryAsync(m.ServerName, ct)).Used; }
            catch (LxdException) { memory = long.MaxValue; } // cannot ask: least attractive on ties
            targets.Add(new PlacementTarget(m.ServerName, instances.Count(i => i.Location == m.ServerName), memory));
        }
        return targets;
    }
}
