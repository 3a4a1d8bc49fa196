using Terrarium.Cluster.Members;

namespace Terrarium.Cluster.Status.Rules;

/// <summary>Instances that should run and do not, and evacuated instances a restore could not bring home.</summary>
public static class WorkloadRules
{
    public static IEnumerable<Problem> For(StatusFacts f) => RestoredWithInstancesAway(f).Concat(StoppedThatShouldRun(f));

    /// <summary>A restored member whose evacuation record still lists instances: LXD's restore did not see their origin.</summary>
    public static IEnumerable<Problem> RestoredWithInstancesAway(StatusFacts f) =>
        f.Config.Evacuations
            .Where(e => e.Instances.Count > 0 && f.LxdMembers.Any(m => m.Name == e.Member && MemberStates.Parse(m.Status) == MemberState.Online))
            .Select(e => new Problem
            {
                Severity = ProblemSeverity.Info,
                Message = $"{e.Member} was restored, but {e.Instances.Count} instance(s) evacuated from it are still elsewhere ({string.Join(", ", e.Instances.Select(i => i.Project == "default" ? i.Name : $"{i.Project}/{i.Name}"))}): their project does not let LXD's restore see their origin.",
                Fix = $"terrariumctl cluster restore {e.Member} --yes",
            });

    /// <summary>One problem per instance, by <see cref="InstanceRules"/>: a move not finished, a start that failed after its member went down, or one a restore left behind.</summary>
    public static IEnumerable<Problem> StoppedThatShouldRun(StatusFacts f)
    {
        var statusOf = f.LxdMembers.ToDictionary(m => m.Name, m => m.Status);
        foreach (var i in f.Local.Instances.OrderBy(i => i.Ref))
        {
            var memberUp = MemberStates.Parse(statusOf.GetValueOrDefault(i.Location, "")) == MemberState.Online && !f.Local.Unreachable.Contains(i.Location);
            if ((InstanceRules.UnfinishedMove(i) ?? InstanceRules.StoppedAfterMemberWentDown(i, memberUp, f.Local.Client) ??
                 InstanceRules.StoppedAwayFromRestoredOrigin(i, statusOf, f.Local.Client)) is { } p)
                yield return p;
        }
    }
}
