namespace Terrarium.Cluster.Placement;

/// <summary>A member that may receive instances (P-1: online and not evacuated).</summary>
public sealed record PlacementTarget(string Member, int Instances, long MemoryUsedBytes);

public sealed record PlannedMove(string Instance, string Target);

/// <summary>
/// P-2: each instance goes to the member with the fewest planned instances, ties broken by lower memory use,
/// then by name. Instances are placed in name order, so the plan is deterministic and can be printed first.
/// </summary>
public static class BalancedPlanner
{
    public static IReadOnlyList<PlannedMove> Plan(IEnumerable<string> instances, IEnumerable<PlacementTarget> targets)
    {
        var load = targets.ToDictionary(t => t.Member, t => (t.Instances, t.MemoryUsedBytes));
        if (load.Count == 0) return [];
        var plan = new List<PlannedMove>();
        foreach (var instance in instances.Order(StringComparer.Ordinal))
        {
            var best = load.OrderBy(kv => kv.Value.Instances).ThenBy(kv => kv.Value.MemoryUsedBytes)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
            load[best] = (load[best].Instances + 1, load[best].MemoryUsedBytes);
            plan.Add(new PlannedMove(instance, best));
        }
        return plan;
    }
}
