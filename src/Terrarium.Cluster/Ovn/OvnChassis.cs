namespace Terrarium.Cluster.Ovn;

/// <summary>Chassis names are member names (ovn-controller's system-id); one without a member is left over.</summary>
public static class OvnChassis
{
    public static IReadOnlyList<string> Stale(IEnumerable<string> chassis, IEnumerable<string> members)
    {
        var known = members.ToHashSet(StringComparer.Ordinal);
        return chassis.Where(c => c.Length > 0 && !known.Contains(c)).Distinct().Order(StringComparer.Ordinal).ToList();
    }
}
