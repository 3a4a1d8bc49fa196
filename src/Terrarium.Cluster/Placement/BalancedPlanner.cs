namespace Terrarium.Cluster.Placement;

/// <summary>A member that may receive instances (P-1: online and not evacuated).</summary>
public sealed record PlacementTarget(string Member, int Instances, long MemoryUsedBytes);

/// <summary>
/// An instance to place: its project and name, and the members it may run on (null: any member).
/// <see cref="Allowed"/> comes from <see cref="PlacementRules"/>.
/// </summary>
public sealed record PlacementItem(InstanceRef Instance, IReadOnlySet<string>? Allowed = null);

public sealed record PlannedMove(InstanceRef Instance, string Target)
{
    public string Project => Instance.Project;
    public string Name => Instance.Name;
}

/// <summary>
/// P-2: each instance goes to the allowed member with the fewest planned instances, ties broken by lower memory
/// use, then by name. Instances are placed in (project, name) order, so the plan is deterministic and can be
/// printed first. An instance no target may take is returned in <c>Unplaceable</c>, never dropped silently.
/// </summary>
public static class BalancedPlanner
{
    public static IReadOnlyList<PlannedMove> Plan(IEnumerable<string> instances, IEnumerable<PlacementTarget> targets) =>
        Plan(instances.Select(i => new PlacementItem(new InstanceRef(InstanceRef.DefaultProject, i))), targets).Moves;

    public static (IReadOnlyList<PlannedMove> Moves, IReadOnlyList<PlacementItem> Unplaceable) Plan(IEnumerable<PlacementItem> instances, IEnumerable<PlacementTarget> targets)
    {
        var load = targets.ToDictionary(t => t.Member, t => (t.Instances, t.MemoryUsedBytes));
        var plan = new List<PlannedMove>();
        var unplaceable = new List<PlacementItem>();
        foreach (var item in instances.OrderBy(i => i.Instance.Project, StringComparer.Ordinal).ThenBy(i => i.Instance.Name, StringComparer.Ordinal))
        {
            var candidates = load.Where(kv => item.Allowed is null || item.Allowed.Contains(kv.Key)).ToList();
            if (candidates.Count == 0)
            {
                unplaceable.Add(item);
                continue;
            }
            var best = candidates.OrderBy(kv => kv.Value.Instances).ThenBy(kv => kv.Value.MemoryUsedBytes)
                .ThenBy(kv => kv.Key, StringComparer.Ordinal).First().Key;
            load[best] = (load[best].Instances + 1, load[best].MemoryUsedBytes);
            plan.Add(new PlannedMove(item.Instance, best));
        }
        return (plan, unplaceable);
    }
}
