using Terrarium.Cluster.Placement;
using Terrarium.Lxd;
using Terrarium.Lxd.Wire;
using Terrarium.Cluster.Members;

namespace Terrarium.Operations.Workloads;

/// <summary>
/// Reads what P-1/P-2 need from LXD, across every project: the members, every instance, every
/// project's restrictions, and which members may receive instances and how busy they are.
/// </summary>
public sealed class PlacementInputs
{
    public required IReadOnlyList<ClusterMember> Members { get; init; }
    public required IReadOnlyList<Instance> Instances { get; init; }
    public required IReadOnlyDictionary<string, Project> Projects { get; init; }

    public static async Task<PlacementInputs> LoadAsync(ILxdClient lxd, IReadOnlyList<ClusterMember> members, CancellationToken ct)
    {
        var instances = lxd.GetAllInstancesAsync(ct);
        var projects = lxd.GetProjectsAsync(ct);
        return new PlacementInputs
        {
            Members = members, Instances = await instances,
            Projects = (await projects).ToDictionary(p => p.Name, StringComparer.Ordinal),
        };
    }

    public IReadOnlyList<Instance> On(string member) =>
        Instances.Where(i => i.Location == member).OrderBy(i => i.Project, StringComparer.Ordinal).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();

    public static InstanceRef Ref(Instance i) => InstanceRef.Of(i.Project, i.Name);

    /// <summary>Each instance with the members LXD's own scheduler would allow for it (PlacementRules).</summary>
    public PlacementItem Item(Instance i) => new(Ref(i), PlacementRules.AllowedMembers(ProjectConfig(i), i.Config, Grouped));

    /// <summary>Whether `cluster move` may send the instance to <paramref name="member"/> (named by the operator).</summary>
    public bool AllowsTarget(Instance i, string member) =>
        PlacementRules.AllowedMembers(ProjectConfig(i), i.Config, Grouped, targeted: true).Contains(member);

    public string WhyLimited(Instance i) => PlacementRules.Why(ProjectConfig(i), i.Config);

    private IReadOnlyDictionary<string, string> ProjectConfig(Instance i) =>
        Projects.TryGetValue(i.Project, out var p) ? p.Config : new Dictionary<string, string>();

    private IReadOnlyCollection<GroupedMember> Grouped =>
        Members.Select(m => new GroupedMember(m.ServerName, m.Groups, m.Config.GetValueOrDefault("scheduler.instance", "all"))).ToList();

    /// <summary>Online, non-evacuated members other than <paramref name="excluded"/>, with instance counts (all projects) and memory use.</summary>
    public async Task<List<PlacementTarget>> TargetsAsync(ILxdClient lxd, IEnumerable<string> excluded, CancellationToken ct)
    {
        var skip = excluded.ToHashSet();
        var online = Members.Where(m => m.State() == MemberState.Online && !skip.Contains(m.ServerName)).ToList();
        var memory = await Task.WhenAll(online.Select(async m =>
        {
            try { return (await lxd.GetMemoryAsync(m.ServerName, ct)).Used; }
            catch (LxdException) { return long.MaxValue; } // cannot ask: least attractive on ties
        }));
        return online.Select((m, k) => new PlacementTarget(m.ServerName, Instances.Count(i => i.Location == m.ServerName), memory[k])).ToList();
    }

    /// <summary>The balanced plan for every instance on <paramref name="member"/>; refuses (exit 2) when one has no allowed target.</summary>
    public (IReadOnlyList<PlannedMove> Plan, string? Refusal) PlanOff(string member, IReadOnlyList<PlacementTarget> targets)
    {
        var on = On(member);
        var (plan, unplaceable) = BalancedPlanner.Plan(on.Select(Item), targets);
        if (unplaceable.Count == 0) return (plan, null);
        var first = on.First(i => Ref(i) == unplaceable[0].Instance);
        var names = string.Join(", ", unplaceable.Select(u => u.Instance.ToString()));
        return (plan, $"No online member other than {member} may take {names}: {WhyLimited(first)}");
    }
}
